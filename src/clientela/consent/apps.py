from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "clientela.consent"
    label = "consent"
    verbose_name = _("Consent and privacy")

    def ready(self) -> None:
        from clientela.consent.services import timeline  # noqa: F401  (registers the source)
