from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "clientela.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from clientela.accounts.presenters import register_actions
        from clientela.accounts.services.tokens import forget_unrecorded_uses, record_token_uses

        register_actions()

        # Token uses are written once the answer has been sent: checking a token never writes.
        request_started.connect(forget_unrecorded_uses, dispatch_uid="accounts.forget_uses")
        request_finished.connect(record_token_uses, dispatch_uid="accounts.record_token_uses")
