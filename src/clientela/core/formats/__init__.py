"""Django format modules (settings.FORMAT_MODULE_PATH) where Django's own do not suit: dates
are written day first with the month in words ("1 November 2024", "1 Nov 2024"), never as
11/01/2024 (which readers elsewhere take for 11 January) or 01/11/2024. English, Portuguese,
Spanish and Italian set only what differs from Django's own; numbers keep Django's (1.234,56).
The pages' filters (core/templatetags/clientela_formats.py) write month names in lower case
in the languages that do (1 de novembro de 2024)."""
