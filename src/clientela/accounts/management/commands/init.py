"""`clientela init`: bring the database up to date, make sure a first admin exists, and ask the
company's country and time zone (on a terminal; from --country/--time-zone otherwise)."""

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
from clientela.accounts.services import company_settings, create_user, update_company
from clientela.core.errors import Invalid
from clientela.core.management.base import ClientelaCommand

EMAIL_VAR = "CLIENTELA_ADMIN_EMAIL"
PASSWORD_VAR = "CLIENTELA_ADMIN_PASSWORD"  # noqa: S105  (the variable's name, not a password)
# The time zone proposed for a country, when it has one main zone (or an obvious first one).
ZONE_OF_COUNTRY = {
    "PT": "Europe/Lisbon",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "BR": "America/Sao_Paulo",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "MX": "America/Mexico_City",
    "AR": "America/Argentina/Buenos_Aires",
    "AO": "Africa/Luanda",
    "MZ": "Africa/Maputo",
}


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
            "Running it again changes nothing once an admin exists. The company's country "
            "and time zone are asked on a terminal, unless given here or set already; "
            "without a terminal or options, CLIENTELA_DEFAULT_PHONE_REGION and "
            "CLIENTELA_TIME_ZONE stand for them (change them later: `clientela company set`)."
        )
        parser.add_argument(
            "--country", metavar="CC", help="the company's ISO 3166 country code (PT, ES, US…)"
        )
        parser.add_argument(
            "--time-zone", metavar="ZONE", help="the company's IANA time zone (Europe/Lisbon…)"
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
        else:
            email, password = self._credentials()
            with transaction.atomic():
                admin = create_user(email, password=password, role=Role.ADMIN, full_name="")
            if verbosity:
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Database ready; admin %(email)s created.") % {"email": admin.email}
                    )
                )
        self._company(admin, options)

    def _company(self, admin: User, options: dict[str, Any]) -> None:
        """The country and time zone: from the options, else asked on a terminal (once: a
        setting the company has is not asked again), else left to the environment."""
        given = {"country": options.get("country"), "time_zone": options.get("time_zone")}
        fields = {name: value for name, value in given.items() if value is not None}
        if fields:
            with transaction.atomic():
                update_company(by=admin, **fields)
            return
        current = company_settings()
        if not sys.stdin.isatty() or {"country", "time_zone"} <= current.set_fields:
            return
        self.stdout.write(_("Where is the company? (Enter keeps the value in brackets.)"))
        country = self._ask(admin, "country", _("Country (ISO code, e.g. PT): "), current.country)
        zone = ZONE_OF_COUNTRY.get(country, current.time_zone)
        self._ask(admin, "time_zone", _("Time zone (e.g. Europe/Lisbon): "), zone)

    def _ask(self, admin: User, field: str, prompt: str, default: str) -> str:
        """Ask until the answer is accepted, and set it."""
        while True:
            answer = input(f"{prompt}[{default}] ").strip() or default
            try:
                with transaction.atomic():
                    update_company(by=admin, **{field: answer})
            except Invalid as exc:
                self.stderr.write(exc.detail)
                continue
            return answer.upper() if field == "country" else answer

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
