"""The fast paths of e-mail and phone normalisation give the libraries' own answers."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from clientela.core.errors import Problem
from clientela.parties.services.identity import (
    Normals,
    is_valid_number,
    normalize_contact,
    normalize_email,
)

REGIONS = ("US", "PT", "GB", "BR", "IT", "ES", "DE", "FR", "IN", "CA", "AU", "JP", "CN", "NG")


def _numbers(count: int, seed: int) -> list[phonenumbers.PhoneNumber]:
    """Numbers of every country code and of the common regions, of every plausible length."""
    rng = random.Random(seed)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    parsed = []
    for n in range(count):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 14)))
        if n % 2:
            text, region = f"+{rng.choice(codes)}{digits}", None
        else:
            text, region = ("0" if n % 4 == 0 else "") + digits, rng.choice(REGIONS)
        try:
            parsed.append(phonenumbers.parse(text, region))
        except phonenumbers.NumberParseException:
            continue
    return parsed


def test_the_fast_validity_of_a_phone_number_is_phonenumbers_own() -> None:
    numbers = _numbers(120_000, seed=3)
    # Real numbers too: each region's own examples, of each type, are valid.
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(example)
    valid = 0
    for number in numbers:
        expected = phonenumbers.is_valid_number(number)
        assert is_valid_number(number) == expected, number
        valid += expected
    assert valid > 2000  # not a test of invalid numbers only


def _slow_email(value: str) -> str | None:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    local, domain = result.normalized.rsplit("@", 1)
    return f"{local.lower()}@{(result.ascii_domain or domain).lower()}"


def _fast_email(value: str) -> str | None:
    try:
        return normalize_email(value)
    except Problem:
        return None


EDGES = [
    "Ana@Example.com",
    "a.b+c_d-e@sub.example.co.uk",
    ".a@example.com",
    "a.@example.com",
    "a..b@example.com",
    "a@example",
    "a@-example.com",
    "a@example-.com",
    "a@ex--ample.com",
    "a@xn--bcher-kva.example",
    "a@xn--zz.example",
    "a@example.123",
    "a@example.c0m",
    "a@localhost",
    "a@mail.test",
    "a@x.local",
    "a@x.onion",
    "a@1.2.3.4",
    "a" * 64 + "@example.com",
    "a" * 65 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["c" * 60] * 4) + ".com",
    "A+B@EXAMPLE.COM",
    "a@b.c",
    "a@b.co-",
    "a_@b.com",
    "-a@b.com",
]


@pytest.mark.parametrize("value", EDGES)
def test_the_fast_normal_form_of_an_edge_address_is_email_validators(value: str) -> None:
    assert _fast_email(value) == _slow_email(value)


def test_the_fast_normal_form_of_many_addresses_is_email_validators() -> None:
    rng = random.Random(5)
    alphabet = "abcXYZ019._+-"
    for _ in range(20_000):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        labels = [
            "".join(rng.choice("abQ09-") for _ in range(rng.randint(1, 8)))
            for _ in range(rng.randint(1, 4))
        ]
        value = f"{local}@{'.'.join(labels)}"
        assert _fast_email(value) == _slow_email(value), value


@pytest.mark.django_db
def test_remembered_normal_forms_are_normalize_contacts_in_each_region() -> None:
    normals = Normals()
    asked = [
        ("phone", "912 345 678", "PT"),
        ("phone", "912 345 678", "es"),
        ("phone", "912 345 678", None),
        ("phone", "612 345 678", "PT"),
        ("email", "Ana@Example.com", "ES"),
    ]
    for _twice in range(2):
        got = []
        for kind, value, region in asked:
            try:
                got.append(normals(kind, value, region))
            except Problem as exc:
                got.append(exc.code)
        wanted = []
        for kind, value, region in asked:
            try:
                wanted.append(normalize_contact(kind, value, region))
            except Problem as exc:
                wanted.append(exc.code)
        assert got == wanted
    assert got[:2] == ["+351912345678", "+34912345678"]
    assert got[3] == "phone_invalid"
