"""Normal forms of names, e-mails and phones: what search, matching and blocking compare.

The value as typed is kept for display; these forms are stored beside it on every write
(ContactPoint.normalized, Party.search_text, Party.name_key) so that duplicates are found
however a value was spelt, spaced or cased.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import phonenumbers
from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    PhoneMetadata,
    country_code_for_valid_region,
    national_significant_number,
)

from clientela.accounts.services import company_settings
from clientela.core.errors import Problem
from clientela.parties.models import ContactKind, ContactPoint, PartyKind

_SPACES = re.compile(r"\s+")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# Characters that are not whitespace to Python but still end up in pasted addresses.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
_JOINERS = re.compile("['\u2019`\u00b4.]")  # O'Brien -> obrien, S.A. -> sa
_PUNCTUATION = re.compile(r"[^\w\s]|_")  # Ana-Maria -> ana maria
# Words that say what legal form an organization has, not which organization it is.
LEGAL_FORMS = frozenset(
    "ltd limited inc incorporated llc llp plc corp corporation co company lda ltda sa sas "
    "sarl srl spa sl slu gmbh ag kg bv nv oy ab as aps me eireli epp".split()
)
NON_GEO = "001"  # phonenumbers' region of non-geographic numbers (+800, +882…)
_QUERY_CHUNK = 500  # values per IN (...) query: well under SQLite's variable limit


def normalize_text(value: str) -> str:
    """Lower case, accents removed, spacing folded: 'José  Müller' -> 'jose muller'."""
    if value.isascii():  # nothing to decompose; the same answer, far sooner
        return " ".join(value.lower().split())
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def normalize_name(value: str) -> str:
    """A name folded for matching: case, accents, punctuation and spacing do not count.

    'Ana-María  O'Brien' -> 'ana maria obrien'; 'Łukasz Søren' -> 'lukasz soren'.
    """
    folded = normalize_text(value).translate(_LETTERS)
    folded = _PUNCTUATION.sub(" ", _JOINERS.sub("", folded))
    return _SPACES.sub(" ", folded).strip()


def name_tokens(kind: str, given_name: str, family_name: str, organization_name: str) -> list[str]:
    """The words of a party's name, folded; an organization's legal form is left out."""
    if kind == PartyKind.ORGANIZATION:
        words = normalize_name(organization_name).split()
        kept = [w for w in words if w not in LEGAL_FORMS]
        return kept or words  # "Limited Ltd" is still a name
    return normalize_name(f"{given_name} {family_name}").split()


def name_key(kind: str, given_name: str, family_name: str, organization_name: str) -> str:
    """The name's folded words in alphabetical order: 'Silva, Maria' and 'Maria Silva' agree."""
    return " ".join(sorted(name_tokens(kind, given_name, family_name, organization_name)))


# Addresses whose normal form is plain to see: a dot-atom local part and lower-case-able
# ASCII labels. For them email_validator (with check_deliverability off) only lower-cases the
# domain; everything else goes through it. tests/parties/test_identity_fast.py holds the two
# side by side.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+\-]{1,64}(?:\.[A-Za-z0-9_+\-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
    r"(?:[A-Za-z0-9][A-Za-z0-9\-]{0,61})?[A-Za-z]"  # all TLDs end with a letter
)
_SPECIAL_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _plain_email(cleaned: str) -> str | None:
    """The normal form of a plain address, or None when only email_validator can say."""
    if len(cleaned) > 200 or not _PLAIN_EMAIL.fullmatch(cleaned):
        return None
    local, domain = cleaned.rsplit("@", 1)
    domain = domain.lower()
    if len(local) > 64 or any(label[2:4] == "--" for label in domain.split(".")):
        return None
    if any(domain == d or domain.endswith("." + d) for d in _SPECIAL_DOMAINS):
        return None
    return f"{local.lower()}@{domain}"


def normalize_email(value: str) -> str:
    """The address in the form used for matching; Problem `email_invalid` if it is not one.

    Surrounding spaces (also non-breaking and zero-width ones) are dropped, the address is
    lower-cased and an internationalised domain is written in ASCII (xn--…), so
    'Zoë@Bücher.example' and 'zoë@xn--bcher-kva.example' are the same address.
    """
    cleaned = value.translate(_INVISIBLE).strip()
    plain = _plain_email(cleaned)
    if plain is not None:
        return plain
    try:
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as exc:
        # The library's own reason is in English: it goes with the error as data.
        raise Problem("email_invalid", _("is not a valid e-mail address"), reason=str(exc)) from exc
    local, domain = result.normalized.rsplit("@", 1)
    return f"{local.lower()}@{(result.ascii_domain or domain).lower()}"


def default_phone_region() -> str:
    """The region of a number written without its country code when nothing closer says: the
    company's country (accounts.services.company_settings)."""
    return company_settings().country


def phone_region(points: Iterable[Mapping[str, Any]]) -> str | None:
    """The country a party's local phone numbers are read in, from its contact points as
    given (dicts): the country of its first address that has one; None when none has."""
    for point in points:
        if point.get("kind") == ContactKind.ADDRESS and point.get("country"):
            return str(point["country"]).upper()
    return None


_COUNTRY = re.compile(r"^[A-Z]{2}$")


def phones_in_address_country(points: list[Any]) -> list[Any]:
    """The points (dicts as given), each phone without a country given its party's address
    country (`phone_region`); as they were when no address names a valid country. The
    party schemas, and the bulk import beside them, read phones this way."""
    region = phone_region(p for p in points if isinstance(p, dict))
    if region is None or not _COUNTRY.match(region):
        return points
    return [
        {**p, "country": region}
        if isinstance(p, dict) and p.get("kind") == ContactKind.PHONE and not p.get("country")
        else p
        for p in points
    ]


def normalize_phone(value: str, region: str | None = None) -> str:
    """The number in E.164 (+351912345678); Problem `phone_unreadable` or `phone_invalid`
    if it is not a possible, valid number.

    A number without its country code is read in `region` (the row's, the form's or the
    party's address country), else in the company's country: '912 345 678' is +351912345678
    in PT. A number written with the 00 international prefix ('0044 20 …') is read as
    '+44 20 …' whatever the region's own prefix is.
    """
    region = (region or default_phone_region()).upper()
    cleaned = value.translate(_INVISIBLE).strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException as exc:
        raise Problem("phone_unreadable", _("is not a phone number"), region=region) from exc
    if not is_valid_number(number):
        raise Problem("phone_invalid", _("is not a valid phone number"), region=region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _desc(desc: Any) -> tuple[frozenset[int] | None, Any] | None:
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    if not pattern:
        return None
    return frozenset(desc.possible_length) or None, re.compile(pattern).fullmatch


@functools.cache
def _descs(region: str, country_code: int) -> tuple[Any, ...] | None:
    """A region's number descriptions, compiled once: general, the eight special kinds,
    fixed line, mobile, and whether fixed and mobile share their pattern."""
    meta = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if meta is None:
        return None
    special = (
        meta.premium_rate,
        meta.toll_free,
        meta.shared_cost,
        meta.voip,
        meta.personal_number,
        meta.pager,
        meta.uan,
        meta.voicemail,
    )
    return (
        _desc(meta.general_desc),
        tuple(_desc(d) for d in special),
        _desc(meta.fixed_line),
        _desc(meta.mobile),
        bool(meta.same_mobile_and_fixed_line_pattern),
        re.compile(meta.leading_digits).match if meta.leading_digits is not None else None,
    )


def _fits(nsn: str, desc: tuple[frozenset[int] | None, Any] | None) -> bool:
    return desc is not None and (desc[0] is None or len(nsn) in desc[0]) and bool(desc[1](nsn))


def _has_type(nsn: str, descs: tuple[Any, ...]) -> bool:
    """phonenumbers' `_number_type_helper(nsn, metadata) != UNKNOWN`, on compiled patterns."""
    general, special, fixed, mobile, same, _leading = descs
    if not _fits(nsn, general):
        return False
    if any(_fits(nsn, d) for d in special) or _fits(nsn, fixed):
        return True
    return not same and _fits(nsn, mobile)


def is_valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """phonenumbers.is_valid_number, the same steps with each region's patterns compiled
    once (it is the hot spot of a large import); tests hold the two side by side."""
    code = number.country_code
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code) if code is not None else None
    if not regions:
        return False
    nsn = national_significant_number(number)
    region: str | None = regions[0] if len(regions) == 1 else None
    for candidate in regions if region is None else ():
        descs = _descs(candidate.upper(), 0) if candidate != NON_GEO else None
        if descs is None:
            continue
        leading = descs[5]
        if leading(nsn) if leading is not None else _has_type(nsn, descs):
            region = candidate
            break
    if region is None:
        return False
    if region != NON_GEO and code != country_code_for_valid_region(region):
        return False
    descs = _descs(region.upper(), code)
    return descs is not None and _has_type(nsn, descs)


def normalize_website(value: str) -> str:
    """An http(s) URL; other schemes are refused (no javascript: links): Problem `url_scheme`."""
    value = value.strip()
    if not _URL.match(value):
        raise Problem("url_scheme", _("must be an http:// or https:// address"))
    return value


def normalize_contact(kind: str, value: str, region: str | None = None) -> str:
    """Dispatch on the contact kind; addresses and handles are only folded for search.

    `region` is the country a phone number without its country code is read in (see
    normalize_phone). Raises Problem (a ValueError) with the code of the rule an e-mail,
    phone or web address breaks.
    """
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value, region)
    if kind == "website":
        return normalize_website(value)
    if kind == "social":
        return normalize_text(value).lstrip("@")
    return normalize_text(value)


class Normals:
    """normalize_contact remembered for a while (a chunk of an import's rows, where each
    value is asked for by several rules): each (kind, value, region) normalised once. The
    region counts for phones only (the country a number without its code is read in)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str, str | None], str | Problem] = {}

    def __call__(self, kind: str, value: str, region: str | None = None) -> str:
        key = (kind, value, region.upper() if region and kind == ContactKind.PHONE else None)
        found = self.known.get(key)
        if found is None:
            try:
                found = normalize_contact(kind, value, key[2])
            except Problem as exc:
                found = exc
            self.known[key] = found
        if isinstance(found, Problem):
            raise found
        return found

    def forget(self) -> None:
        self.known.clear()


def find_exact_matches(emails: Iterable[str], phones: Iterable[str]) -> dict[str, list[int]]:
    """Which live parties already hold these e-mails or phones, whatever their spelling.

    Values are normalised first (invalid ones are skipped: validation reports them); the
    answer maps each normalised value that is already used (an e-mail in lower case with an
    ASCII domain, a phone in E.164) to the ids of the parties holding it, in id order.
    Archived and merged parties do not count. Every party is searched, not only those a
    user may see: callers decide what to reveal.
    """
    wanted: dict[str, set[str]] = {ContactKind.EMAIL: set(), ContactKind.PHONE: set()}
    for kind, values, normalise in (
        (ContactKind.EMAIL, emails, normalize_email),
        (ContactKind.PHONE, phones, normalize_phone),
    ):
        for value in values:
            try:
                wanted[kind].add(normalise(str(value)))
            except Problem:
                continue
    found: dict[str, set[int]] = {}
    for contact_kind, values in wanted.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), _QUERY_CHUNK):
            rows = ContactPoint.objects.filter(
                kind=contact_kind,
                normalized__in=ordered[start : start + _QUERY_CHUNK],
                party__archived_at__isnull=True,
            ).values_list("normalized", "party_id")
            for normalized, party_id in rows:
                found.setdefault(normalized, set()).add(party_id)
    return {value: sorted(ids) for value, ids in sorted(found.items())}
