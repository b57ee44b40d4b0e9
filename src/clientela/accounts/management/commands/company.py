"""`clientela company`: show or change the company's settings."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.accounts.models import Role, User
from clientela.accounts.services import (
    company_settings,
    remove_company_logo,
    set_company_logo,
    update_company,
)
from clientela.accounts.services.company import CompanySettings
from clientela.accounts.services.logo import MAX_BYTES
from clientela.core.errors import NotFound, invalid
from clientela.core.management.base import ClientelaCommand

# Option → setting; each takes "" to unset the setting (back to the environment's).
OPTIONS = {
    "name": "name",
    "country": "country",
    "time_zone": "time_zone",
    "currency": "reporting_currency",
    "language": "language",
    "postal_address": "postal_address",
}


class Command(ClientelaCommand):
    help = (
        "Show or change the company's settings: name, country, time zone, currency, language, "
        "postal address and logo."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        show = commands.add_parser("show", help="the settings in effect, and where each comes from")
        show.add_argument("--json", action="store_true", help="as one JSON object")
        change = commands.add_parser(
            "set",
            help="change settings (admins); an empty value unsets one",
            description="Change the company's settings. Only the options given change; "
            'an empty value (--currency "") unsets a setting, which then falls back to the '
            "environment (docs/configuration.md).",
        )
        change.add_argument("--name", metavar="NAME", help="the company's name")
        change.add_argument(
            "--country",
            metavar="CC",
            help="ISO 3166 code (PT, ES, IT, GB, BR, US…): the default phone region",
        )
        change.add_argument(
            "--time-zone",
            metavar="ZONE",
            help="IANA time zone (Europe/Lisbon…): what dates and times without an offset mean",
        )
        change.add_argument(
            "--currency",
            metavar="CODE",
            help="ISO 4217 reporting currency (EUR…); empty: inferred from the orders",
        )
        change.add_argument("--language", metavar="LANG", help="en, pt, es or it")
        change.add_argument(
            "--postal-address",
            metavar="TEXT",
            help='shown in every public page\'s footer; lines separated by "\\n" or new lines',
        )
        change.add_argument(
            "--logo",
            metavar="FILE",
            help='a PNG, JPEG, WebP or GIF (at most 512 KB, 4096 px a side); "" removes it',
        )
        change.add_argument(
            "--as",
            dest="acting",
            metavar="EMAIL",
            help="the admin who changes it (default: the first)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(company_settings(), as_json=options["json"])
            return
        fields = {OPTIONS[o]: options[o] for o in OPTIONS if options.get(o) is not None}
        if "postal_address" in fields:  # a shell argument writes a new line as \n
            fields["postal_address"] = fields["postal_address"].replace("\\n", "\n")
        logo = options.get("logo")
        data = _read_logo(logo) if logo else None
        with transaction.atomic():
            by = acting_admin(options["acting"])
            changed = update_company(by=by, **fields)
            if data is not None:
                changed = set_company_logo(by=by, data=data)
            elif logo == "":
                changed = remove_company_logo(by=by)
        self._show(changed, as_json=False)

    def _show(self, found: CompanySettings, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(found.as_dict(), ensure_ascii=False))
            return
        labels = {
            "name": _("Name"),
            "country": _("Country"),
            "time_zone": _("Time zone"),
            "reporting_currency": _("Reporting currency"),
            "language": _("Language"),
            "postal_address": _("Postal address"),
        }
        width = max(map(len, labels.values()))
        for field, label in labels.items():
            value = getattr(found, field)
            if field in found.set_fields:
                source = ""
            elif field == "reporting_currency" and not value:
                value, source = "-", _(" (not set: inferred from the orders)")
            elif field == "postal_address":
                source = ""
            else:
                source = _(" (from the environment)")
            value = value.replace("\n", ", ")
            self.stdout.write(f"{label.ljust(width)}  {value or '-'}{source}")
        logo = f"{found.logo_url} ({found.logo_type})" if found.logo_url else "-"
        self.stdout.write(f"{_('Logo').ljust(width)}  {logo}")


def _read_logo(path: str) -> bytes:
    """The file's first bytes, one more than a logo may have (the service says it is too big)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise invalid(
            "--logo",
            path,
            gettext_lazy("cannot be read: %(reason)s"),
            code="logo_unreadable",
            reason=exc.strerror or str(exc),
        ) from exc


def acting_admin(email: str | None) -> User:
    """The admin named by --as, or the first active admin."""
    admins = User.objects.filter(is_active=True)
    if email:
        user = admins.filter(email__iexact=email.strip()).first()
        if user is None:
            raise NotFound(
                gettext_lazy("--as %(email)s: no active user with that e-mail"),
                code="acting_user_unknown",
                params={"email": email},
            )
        return user
    user = admins.filter(role=Role.ADMIN).order_by("pk").first()
    if user is None:
        raise NotFound(
            gettext_lazy("there is no active admin to act as; create one or give --as EMAIL"),
            code="acting_admin_missing",
        )
    return user
