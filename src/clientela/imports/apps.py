from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "clientela.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from clientela.core.registries import register_eraser
        from clientela.imports.services.erasure import erase_from_imports

        register_eraser("imports", erase_from_imports, tables=("imports_importrun",))
