"""The bulk writer's checks beside PartyCreate's: what check_new accepts, PartyCreate and
create_party accept too, and the common valid shapes are accepted."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from clientela.parties.models import CustomField
from clientela.parties.schemas import PartyCreate
from clientela.parties.services.rows import check_new, custom_fields, refusals

VALID: list[dict[str, Any]] = [
    {"kind": "person", "given_name": "Ana", "family_name": "Silva"},
    {
        "kind": "person",
        "given_name": "Zoë",
        "contact_points": [{"kind": "email", "value": "Zoë@Bücher.example"}],
    },
    {
        "kind": "person",
        "family_name": "Costa",
        "contact_points": [{"kind": "phone", "value": "+351 912 345 678"}],
    },
    {
        "kind": "organization",
        "organization_name": "Acme Lda",
        "external_id": "A-1",
        "tags": ["b2b", "vip"],
    },
    {"kind": "person", "given_name": "Rui", "language": "pt-BR", "timezone": "Europe/Lisbon"},
    {
        "kind": "person",
        "given_name": "Rui",
        "roles": [{"role": "customer"}, {"role": "partner", "since": "2020-01-01"}],
    },
    {
        "kind": "person",
        "given_name": "Rui",
        "key_dates": [{"kind": "birthday", "year": None, "month": 2, "day": 29}],
    },
    {
        "kind": "person",
        "given_name": "Rui",
        "contact_points": [
            {
                "kind": "address",
                "value": "Rua 1, Lisboa, PT",
                "street": "Rua 1",
                "locality": "Lisboa",
                "country": "PT",
            }
        ],
    },
    {
        "kind": "person",
        "given_name": "Rui",
        "contact_points": [
            {"kind": "email", "value": "a@example.com"},
            {"kind": "email", "value": "b@example.com", "is_primary": True, "label": "work"},
        ],
    },
    {"kind": "person", "given_name": "Rui", "custom": {"tier": "gold"}},
    {
        "kind": "person",
        "given_name": "María",
        "contact_points": [
            {"kind": "phone", "value": "612 345 678"},
            {"kind": "address", "value": "Madrid, ES", "locality": "Madrid", "country": "ES"},
        ],
    },
    {
        "kind": "person",
        "given_name": "María",
        "contact_points": [{"kind": "phone", "value": "612 345 678", "country": "ES"}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"kind": "person"},
    {"kind": "organization", "given_name": "Ana"},
    {"kind": "alien", "given_name": "Ana"},
    {"kind": "person", "given_name": "A" * 101},
    {"kind": "person", "given_name": "Ana", "language": "portuguese"},
    {"kind": "person", "given_name": "Ana", "timezone": "Mars/Olympus"},
    {"kind": "person", "given_name": "Ana", "tags": ["no!tags?"]},
    {
        "kind": "person",
        "given_name": "Ana",
        "contact_points": [{"kind": "email", "value": "not-an-address"}],
    },
    {"kind": "person", "given_name": "Ana", "contact_points": [{"kind": "phone", "value": "12"}]},
    {
        "kind": "person",
        "given_name": "Ana",
        "contact_points": [{"kind": "website", "value": "javascript:alert(1)"}],
    },
    {
        "kind": "person",
        "given_name": "Ana",
        "contact_points": [{"kind": "email", "value": "a@x.example", "country": "pt"}],
    },
    {
        "kind": "person",
        "given_name": "Ana",
        "key_dates": [{"kind": "birthday", "month": 2, "day": 30}],
    },
    {
        "kind": "person",
        "given_name": "Ana",
        "key_dates": [{"kind": "birthday", "year": 1700, "month": 1, "day": 1}],
    },
    {"kind": "person", "given_name": "Ana", "roles": [{"role": "king"}]},
    {
        "kind": "person",
        "given_name": "Ana",
        "roles": [{"role": "customer", "since": "2021-01-01", "until": "2020-01-01"}],
    },
    {"kind": "person", "given_name": "Ana", "custom": {"unknown": "x"}},
    {"kind": "person", "given_name": "Ana", "custom": {"tier": "platinum"}},
    {"kind": "person", "given_name": "Ana", "unknown_field": 1},
    {  # a Spanish mobile is no Portuguese number
        "kind": "person",
        "given_name": "Ana",
        "contact_points": [
            {"kind": "phone", "value": "612 345 678"},
            {"kind": "address", "value": "Lisboa, PT", "locality": "Lisboa", "country": "PT"},
        ],
    },
    {
        "kind": "person",
        "given_name": "Ana",
        "contact_points": [
            {"kind": "email", "value": "a@example.com", "is_primary": True},
            {"kind": "email", "value": "b@example.com", "is_primary": True},
        ],
    },
]


def _single_path_accepts(data: dict[str, Any]) -> bool:
    try:
        PartyCreate.model_validate(data)
    except ValidationError:
        return False
    scalars = {k: data.get(k) for k in ("given_name", "family_name", "organization_name")}
    return not refusals(data["kind"], dict(data.get("custom") or {}), scalars)


@pytest.fixture
def tier() -> None:
    CustomField.objects.create(key="tier", label="Tier", type="choice", choices=["gold", "silver"])


@pytest.mark.django_db
@pytest.mark.parametrize("data", VALID + INVALID)
def test_the_bulk_checks_accept_exactly_what_the_single_write_accepts(
    data: dict[str, Any], tier: None
) -> None:
    accepted = check_new(data, custom_fields()) is not None
    assert accepted == _single_path_accepts(data)
    assert accepted == (data in VALID)


@pytest.mark.django_db
def test_a_new_partys_primary_contacts_and_change_log_are_those_of_create_party(tier: None) -> None:
    party = check_new(VALID[8], custom_fields())
    assert party is not None
    assert [(p["normalized"], p["is_primary"]) for p in party.points] == [
        ("a@example.com", False),
        ("b@example.com", True),
    ]
    assert party.search_text == "rui | rui | a@example.com | b@example.com"


@pytest.mark.django_db
def test_a_local_phone_is_read_and_kept_in_the_address_country_as_party_create_reads_it() -> None:
    data = {
        "kind": "person",
        "given_name": "María",
        "contact_points": [
            {"kind": "phone", "value": "912 345 678"},
            {"kind": "address", "value": "Madrid, ES", "locality": "Madrid", "country": "ES"},
        ],
    }
    party = check_new(data, custom_fields())
    schema = PartyCreate.model_validate(data)
    assert party is not None
    assert schema.contact_points is not None
    assert [(p["kind"], p["country"], p["normalized"]) for p in party.points] == [
        ("phone", "ES", "+34912345678"),
        ("address", "ES", "madrid, es"),
    ]
    assert [p.country for p in schema.contact_points] == ["ES", "ES"]
    assert party.keys == [("phone", "+34912345678")]
