"""`clientela init`: bring the database up to date and make sure a first admin exists."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from getpass import getpass
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.accounts.models import Role, User
from clientela.accounts.services import create_user
from clientela.core.management.base import ClientelaCommand

EMAIL_VAR = "CLIENTELA_ADMIN_EMAIL"
PASSWORD_VAR = "CLIENTELA_ADMIN_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def ask_password(prompt: str = "") -> str:
    """Ask twice on the terminal; the two answers must match."""
    first = getpass(prompt or _("Password: "))
    if first != getpass(_("Password (again): ")):
        raise CommandError(_("the two passwords differ"))
    return first


class Command(ClientelaCommand):
    help = "Migrate the database and create the first admin (asks, or reads CLIENTELA_ADMIN_*)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.epilog = (
            f"Without a terminal, set {EMAIL_VAR} and {PASSWORD_VAR}. "
            "Running it again changes nothing once an admin exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
        if admin is not None:
            if verbosity:
                self.stdout.write(
                    _("Database ready; admin %(email)s already exists.") % {"email": admin.email}
                )
            return
        email, password = self._credentials()
        with transaction.atomic():
            user = create_user(email, password=password, role=Role.ADMIN, full_name="")
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Database ready; admin %(email)s created.") % {"email": user.email}
                )
            )

    def _credentials(self) -> tuple[str, str]:
        email = os.environ.get(EMAIL_VAR, "").strip()
        password = os.environ.get(PASSWORD_VAR, "")
        if email and password:
            return email, password
        if not sys.stdin.isatty():
            raise CommandError(
                _(
                    "no admin exists yet and there is no terminal to ask: set %(email)s "
                    "and %(password)s, then run `clientela init` again"
                )
                % {"email": EMAIL_VAR, "password": PASSWORD_VAR}
            )
        self.stdout.write(_("Create the first admin."))
        email = email or input(_("E-mail: ")).strip()
        return email, password or ask_password()
