from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "clientela.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from clientela.core.registries import ERASE_LAST, register_eraser
        from clientela.parties.services.erasure import erase_party_data

        register_eraser(
            "parties",
            erase_party_data,
            tables=(
                "parties_party",
                "parties_contactpoint",
                "parties_keydate",
                "parties_affiliation",
                "parties_partychange",
                "django_admin_log",
            ),
            order=ERASE_LAST,
        )
