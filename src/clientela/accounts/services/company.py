"""The company's settings: its name, country, time zone, reporting currency, language, postal
address and logo (the logo's file: accounts.services.logo).

One row (accounts.Company), edited by admins on the settings page, through `PATCH /api/v1/company`
or `clientela company set`. A blank field falls back to the environment (docs/configuration.md):
the country to CLIENTELA_DEFAULT_PHONE_REGION, the time zone to CLIENTELA_TIME_ZONE, the
reporting currency to CLIENTELA_CURRENCY when it is set (else none: analytics infers one), the
language to the product's default. Every reader asks `company_settings()`, which is cheap
enough to call per row of an import: the answer is kept in this process for a few seconds, and
forgotten at once by the writer.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Company, Role, User
from clientela.accounts.services.audit import record_audit
from clientela.core.errors import FieldError, Forbidden, Invalid
from clientela.core.money import is_currency

# How long one process trusts what it read: another process's change shows within this.
CACHE_SECONDS = 5.0
FIELDS = ("name", "country", "time_zone", "reporting_currency", "language", "postal_address")
POSTAL_ADDRESS_MAX = 500
POSTAL_ADDRESS_LINES = 8
_lock = threading.Lock()
_cached: tuple[float, CompanySettings] | None = None


@dataclass(frozen=True)
class CompanySettings:
    """The settings in effect: the company's own, else the environment's."""

    name: str
    country: str  # ISO 3166 alpha-2: the default phone region
    time_zone: str  # IANA: what a date or a time without an offset means
    reporting_currency: str  # ISO 4217, or "" when not set (analytics infers it)
    language: str  # one of settings.LANGUAGES
    # Lines separated by "\n": the footer of every public page and marketing message.
    postal_address: str = ""
    logo_type: str = ""  # image/png, image/jpeg, image/webp or image/gif; "" when none
    logo_digest: str = ""  # names the logo's file and its URL; "" when none
    # Which of the above the company set itself (the others come from the environment).
    set_fields: frozenset[str] = frozenset()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def postal_lines(self) -> list[str]:
        return self.postal_address.splitlines()

    @property
    def logo_url(self) -> str:
        """Where the logo is served (its address changes with its content), or ""."""
        if not self.logo_digest:
            return ""
        return reverse("accounts:company_logo", args=[self.logo_digest])

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS} | {
            "logo_url": self.logo_url or None,
            "set": sorted(self.set_fields),
        }


def company_settings() -> CompanySettings:
    """The settings in effect, read at most every CACHE_SECONDS in this process."""
    global _cached
    cached = _cached
    now = time.monotonic()
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    row = Company.objects.filter(pk=Company.SINGLETON).first()
    found = _effective(row)
    with _lock:
        _cached = (now, found)
    return found


def forget_company_settings() -> None:
    """Read the row again next time (after a write, or between tests)."""
    global _cached
    with _lock:
        _cached = None


def _effective(row: Company | None) -> CompanySettings:
    own = {name: getattr(row, name) for name in FIELDS} if row is not None else {}
    environment = {
        "name": "",
        "country": settings.CLIENTELA_DEFAULT_PHONE_REGION,
        "time_zone": settings.TIME_ZONE,
        "reporting_currency": settings.CLIENTELA_REPORTING_CURRENCY,
        "language": settings.LANGUAGE_CODE,
        "postal_address": "",
    }
    values = {name: own.get(name) or environment[name] for name in FIELDS}
    logo = {"logo_type": row.logo_type, "logo_digest": row.logo_digest} if row else {}
    return CompanySettings(**values, **logo, set_fields=frozenset(n for n in FIELDS if own.get(n)))


@cache
def countries() -> dict[str, dict[str, str]]:
    """ISO 3166 alpha-2 codes, each with its name by language (phonenumbers' data)."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    return {
        code: names
        for code, names in LOCALE_DATA.items()
        if len(code) == 2 and code.isalpha() and code.isupper()
    }


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


@transaction.atomic
def update_company(*, by: User, **fields: str | None) -> CompanySettings:
    """Change the company's settings (admins only); a field given as "" is unset (it falls
    back to the environment again), one not given is left alone. Invalid names every field
    that is wrong, and nothing is written then."""
    if not (by.is_active and by.role == Role.ADMIN):
        raise Forbidden(
            _("only an admin may change the company's settings"), code="company_admin_only"
        )
    unknown = set(fields) - set(FIELDS)
    if unknown:  # a programming error: adapters pass only declared fields
        raise TypeError(f"not company settings: {sorted(unknown)}")
    cleaned: dict[str, str] = {}
    errors: list[FieldError] = []
    for name, value in fields.items():
        if value is None:
            continue
        try:
            cleaned[name] = _CLEANERS[name](value)
        except _Refused as exc:
            errors.append(exc.error)
    if errors:
        raise Invalid(errors)
    row = Company.objects.select_for_update().filter(pk=Company.SINGLETON).first()
    row = row or Company(pk=Company.SINGLETON)
    changed = {
        name: [getattr(row, name), value]
        for name, value in cleaned.items()
        if getattr(row, name) != value
    }
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.updated_by = by
    row.save()
    if changed:
        record_audit(by, "company.updated", target_kind="company", details={"changed": changed})
    forget_company_settings()
    return _effective(row)


class _Refused(Exception):
    def __init__(self, error: FieldError) -> None:
        super().__init__(error.code)
        self.error = error


def _clean_name(value: str) -> str:
    name = " ".join(value.split())
    if len(name) > 150:
        raise _Refused(
            FieldError(
                "name",
                value,
                _("must be at most %(max)s characters"),
                code="company_name_too_long",
                params={"max": 150},
            )
        )
    return name


def _clean_country(value: str) -> str:
    code = value.strip().upper()
    if code and code not in countries():
        raise _Refused(
            FieldError(
                "country",
                value,
                _("is not a two-letter ISO 3166 country code (such as PT, ES, IT, GB, BR, US)"),
                code="country_unknown",
            )
        )
    return code


def _clean_time_zone(value: str) -> str:
    text = value.strip()
    # Names are exact (Europe/Lisbon); a name written in another case is found too.
    found = {name.lower(): name for name in time_zones()}.get(text.lower())
    if text and found is None:
        raise _Refused(
            FieldError(
                "time_zone",
                value,
                _("is not an IANA time zone (such as Europe/Lisbon or America/New_York)"),
                code="time_zone_unknown",
            )
        )
    return found or ""


def _clean_currency(value: str) -> str:
    code = value.strip().upper()
    if code and not is_currency(code):
        raise _Refused(
            FieldError(
                "reporting_currency",
                value,
                _("is not an ISO 4217 currency code (such as EUR, USD, GBP, BRL)"),
                code="currency_unknown",
            )
        )
    return code


def _clean_language(value: str) -> str:
    code = value.strip().lower()
    if code and code not in languages():
        raise _Refused(
            FieldError(
                "language",
                value,
                _("must be one of: %(values)s"),
                code="language_unknown",
                params={"values": ", ".join(languages())},
            )
        )
    return code


def _clean_postal_address(value: str) -> str:
    lines = [" ".join(line.split()) for line in value.splitlines()]
    text = "\n".join(line for line in lines if line)
    if len(text) > POSTAL_ADDRESS_MAX or text.count("\n") >= POSTAL_ADDRESS_LINES:
        raise _Refused(
            FieldError(
                "postal_address",
                value,
                _("must be at most %(max)s characters on at most %(lines)s lines"),
                code="postal_address_too_long",
                params={"max": POSTAL_ADDRESS_MAX, "lines": POSTAL_ADDRESS_LINES},
            )
        )
    return text


_CLEANERS = {
    "name": _clean_name,
    "country": _clean_country,
    "time_zone": _clean_time_zone,
    "reporting_currency": _clean_currency,
    "language": _clean_language,
    "postal_address": _clean_postal_address,
}
