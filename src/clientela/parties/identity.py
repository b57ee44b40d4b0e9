"""Normal forms of names, e-mails and phones: what search and matching compare."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.conf import settings
from email_validator import EmailNotValidError, validate_email

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def normalize_text(value: str) -> str:
    """Lower case, accents removed, spacing folded: 'José  Müller' -> 'jose muller'."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def normalize_email(value: str) -> str:
    """The address in the form used for matching; ValueError with a reason if invalid."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid e-mail address: {exc}") from exc
    local, _, domain = result.normalized.rpartition("@")
    return f"{local.lower()}@{result.ascii_domain.lower() if result.ascii_domain else domain}"


def normalize_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 (+351912345678); ValueError if it is not a possible, valid number."""
    region = region or settings.CLIENTELA_DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_website(value: str) -> str:
    """An http(s) URL, lower-cased host; other schemes are refused (no javascript: links)."""
    value = value.strip()
    if not _URL.match(value):
        raise ValueError("must be an http:// or https:// address")
    return value


def normalize_contact(kind: str, value: str) -> str:
    """Dispatch on the contact kind; addresses and handles are only folded for search."""
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value)
    if kind == "website":
        return normalize_website(value)
    if kind == "social":
        return normalize_text(value).lstrip("@")
    return normalize_text(value)
