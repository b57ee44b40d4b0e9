"""Italian dates with the month in words everywhere and no leading zero ("1 novembre 2026",
"1 nov 2026"); the rest of Django's Italian formats apply."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
