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

        # Kept files that name the person are deleted; so are the problems' values naming them.
        erased = ("problems", "rejects_file", "error", "error_detail")
        register_eraser(
            "imports", erase_from_imports, columns=tuple(f"imports_importrun.{c}" for c in erased)
        )
        register_schedule("imports.expire_uploads", schedule_upload_expiry)
