"""Portuguese dates with the month in words everywhere ("1 nov 2026", not "01/11/2026");
the rest of Django's Portuguese formats apply."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
