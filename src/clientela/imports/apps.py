from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "clientela.imports"
    label = "imports"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from clientela.core.registries import register_eraser
        from clientela.core.schedules import register_schedule
        from clientela.imports.services.erasure import erase_from_imports
        from clientela.imports.tasks import schedule_upload_expiry

        register_eraser("imports", erase_from_imports, tables=("imports_importrun",))
        register_schedule("imports.expire_uploads", schedule_upload_expiry)
