"""Every door that makes a party from an address keeps erased and suppressed people out:
the API (`POST /api/v1/parties`) and the party form, as imports do (tests/imports)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.consent.models import SuppressionReason
from clientela.consent.schemas import SignupIn
from clientela.consent.services import (
    Proof,
    confirm_signup,
    erase_party,
    start_signup,
    suppress,
)
from clientela.core.errors import Invalid
from clientela.parties.models import ContactPoint, Party
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import archive_party, create_party
from tests.api.problems import assert_invalid, send

ClientOf = Callable[[User], Client]
EMAIL, PHONE = "zebulon.quixwort@example.org", "+351913579246"
URL = "/api/v1/parties"


def _person(email: str = EMAIL, phone: str = PHONE) -> dict[str, object]:
    return {
        "kind": "person",
        "given_name": "Zebulon",
        "family_name": "Quixwort",
        "contact_points": [{"kind": "email", "value": email}, {"kind": "phone", "value": phone}],
    }


def _erase(by: User) -> None:
    with transaction.atomic():
        erase_party(create_party(PartyCreate.model_validate(_person()), by=by), by=by)


def _live_holders(value: str) -> int:
    return ContactPoint.objects.filter(normalized=value, party__archived_at__isnull=True).count()


@pytest.mark.django_db
def test_the_api_does_not_create_an_erased_person_again(
    manager: User, api_client: ClientOf
) -> None:
    _erase(manager)
    response = send(api_client(manager), "POST", URL, _person(email=EMAIL.upper()))
    error = assert_invalid(response, "contact_points.0.value", EMAIL.upper())
    body = response.json()
    assert body["code"] == "party_kept_out"
    assert error["code"] == "contact_erased"
    assert f"was erased on {timezone.localdate().isoformat()}" in error["message"]
    assert [e["code"] for e in body["errors"]] == ["contact_erased", "contact_erased"]
    assert _live_holders(EMAIL) == 0


@pytest.mark.django_db
def test_the_party_form_does_not_create_a_suppressed_address(
    admin: User, web_client: ClientOf
) -> None:
    suppress("phone", PHONE, reason=SuppressionReason.COMPLAINT)
    form = {
        "kind": "person",
        "given_name": "Zebulon",
        "family_name": "Quixwort",
        "contact_points-TOTAL_FORMS": "1",
        "contact_points-0-kind": "phone",
        "contact_points-0-value": PHONE,
    }
    response = web_client(admin).post("/parties/new/", form)
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="contact_points-0-value-error"' in body
    assert "complained" in body
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_an_address_that_is_not_suppressed_is_created_as_before(manager: User) -> None:
    suppress("email", "other@example.org", reason=SuppressionReason.MANUAL)
    party = create_party(PartyCreate.model_validate(_person()), by=manager)
    assert _live_holders(EMAIL) == 1
    assert party.pk


@pytest.mark.django_db
def test_a_person_who_signed_up_again_may_be_created_by_staff(manager: User) -> None:
    _erase(manager)
    signup = SignupIn.model_validate({"email": EMAIL, "wording": {"text": "Yes, the newsletter."}})
    started = start_signup(signup, proof=Proof(ip="203.0.113.9"))
    assert started is not None
    confirmed = confirm_signup(started.token, proof=Proof(ip="203.0.113.9"))
    assert confirmed is not None
    assert confirmed.party is not None
    archive_party(confirmed.party, by=manager)  # the prospect the sign-up made is set aside
    only_email = _person()
    only_email["contact_points"] = [{"kind": "email", "value": EMAIL}]
    create_party(PartyCreate.model_validate(only_email), by=manager)
    assert _live_holders(EMAIL) == 1
    # The phone did not come back: it stays out.
    with pytest.raises(Invalid) as caught:
        create_party(PartyCreate.model_validate(_person(email="new@example.org")), by=manager)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("contact_points.1.value", "contact_erased")
    ]


@pytest.mark.django_db
def test_an_erased_address_is_not_added_to_a_party_that_exists(
    manager: User, api_client: ClientOf
) -> None:
    _erase(manager)
    other = create_party(
        PartyCreate.model_validate(_person(email="kept@example.org", phone="+351912000111")),
        by=manager,
    )
    points = [
        {"kind": "email", "value": "kept@example.org"},
        {"kind": "phone", "value": "+351912000111"},
        {"kind": "email", "value": EMAIL},
    ]
    response = send(api_client(manager), "PATCH", f"{URL}/{other.pk}", {"contact_points": points})
    error = assert_invalid(response, "contact_points.2.value", EMAIL)
    assert response.json()["code"] == "contact_kept_out"
    assert error["code"] == "contact_erased"
    assert _live_holders(EMAIL) == 0
    assert _live_holders("kept@example.org") == 1  # nothing of the update was kept


@pytest.mark.django_db
def test_a_party_keeps_its_own_address_after_that_address_is_suppressed(
    manager: User, api_client: ClientOf
) -> None:
    party = create_party(PartyCreate.model_validate(_person()), by=manager)
    suppress("email", EMAIL, reason=SuppressionReason.COMPLAINT)
    points = [{"kind": "email", "value": EMAIL}, {"kind": "phone", "value": "+351912000222"}]
    response = send(api_client(manager), "PATCH", f"{URL}/{party.pk}", {"contact_points": points})
    assert response.status_code == 200, response.content
    assert _live_holders(EMAIL) == 1
    # A PATCH that leaves the contact points alone is not checked at all.
    response = send(api_client(manager), "PATCH", f"{URL}/{party.pk}", {"given_name": "Zeb"})
    assert response.status_code == 200, response.content
