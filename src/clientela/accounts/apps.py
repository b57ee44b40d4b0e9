from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "clientela.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.core.signals import request_finished

        from clientela.accounts.services.tokens import record_token_uses

        # Token uses are written once the answer has been sent: checking a token never writes.
        request_finished.connect(record_token_uses, dispatch_uid="accounts.record_token_uses")
