from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "clientela.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from clientela.core.registries import register_eraser
        from clientela.messaging.services import erasure

        register_eraser("messages", erasure.erase_messages, columns=erasure.erased_columns())
