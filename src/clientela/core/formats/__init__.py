"""Django format modules (settings.FORMAT_MODULE_PATH) where Django's own do not suit: English
pages write dates day first with the month in words ("1 November 2024", "1 Nov 2024"), never
in the US order 11/01/2024 that readers elsewhere take for 11 January. Portuguese, Spanish and
Italian use Django's own (1 de novembro de 2024, 01/11/2024; 1.234,56)."""
