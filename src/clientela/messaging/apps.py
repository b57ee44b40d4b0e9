from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "clientela.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        self.register_audit_actions()

    def register_audit_actions(self) -> None:
        from clientela.core.registries import register_audit_action

        register_audit_action("template.created", _("created template “%(name)s”"))
        register_audit_action("template.changed", _("changed template “%(name)s”"))
        register_audit_action("template.archived", _("archived template “%(name)s”"))
