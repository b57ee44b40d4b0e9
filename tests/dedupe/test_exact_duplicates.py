from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.core.errors import Conflict, Invalid
from clientela.parties.models import Party
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import create_party
from tests.factories import make_party


def _person(email: str = "", phone: str = "") -> PartyCreate:
    points = []
    if email:
        points.append({"kind": "email", "value": email})
    if phone:
        points.append({"kind": "phone", "value": phone})
    return PartyCreate.model_validate(
        {"kind": "person", "given_name": "Maria", "family_name": "Silva", "contact_points": points}
    )


@pytest.mark.django_db
def test_creating_a_party_with_an_email_in_use_is_refused_naming_the_party(
    manager: User,
) -> None:
    existing = make_party(email="maria@example.com")
    with pytest.raises(Conflict) as caught:
        create_party(_person(email="  MARIA@Example.com"), by=manager)
    (error,) = caught.value.errors
    assert error.field == "contact_points.0.value"
    assert error.text() == f"is used by party {existing.pk}"
    assert Party.objects.count() == 1


@pytest.mark.django_db
def test_creating_a_party_with_a_phone_in_use_is_refused(manager: User) -> None:
    make_party(phone="+12125550199")
    with pytest.raises(Conflict):
        create_party(_person(phone="(212) 555-0199"), by=manager)


@pytest.mark.django_db
def test_a_party_another_team_owns_is_not_named_in_the_refusal(
    sales_a: User, sales_b: User
) -> None:
    hidden = make_party(email="maria@example.com", team=sales_a.team, owner=sales_a)
    with pytest.raises(Invalid) as caught:  # read like any invalid value: not even a conflict
        create_party(_person(email="maria@example.com"), by=sales_b)
    assert str(hidden.pk) not in caught.value.errors[0].text()
    assert caught.value.errors[0].code == "value_unavailable"
    assert caught.value.errors[0].text() == "cannot be used; give another value"


@pytest.mark.django_db
def test_an_archived_party_does_not_block_its_email(manager: User) -> None:
    from django.utils import timezone

    make_party(email="maria@example.com", archived_at=timezone.now())
    assert create_party(_person(email="maria@example.com"), by=manager).pk


@pytest.mark.django_db
def test_the_api_answers_409_with_the_existing_party(
    manager: User, api_client: Callable[[User], Client]
) -> None:
    existing = make_party(email="maria@example.com")
    response = api_client(manager).post(
        "/api/v1/parties",
        {
            "kind": "person",
            "given_name": "M",
            "contact_points": [{"kind": "email", "value": "Maria@example.com"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["message"] == f"is used by party {existing.pk}"


@pytest.mark.django_db
def test_the_new_party_page_shows_the_refusal_and_saves_nothing(
    manager: User, web_client: Callable[[User], Client]
) -> None:
    make_party(email="maria@example.com")
    response = web_client(manager).post(
        "/parties/new/",
        {
            "kind": "person",
            "given_name": "Maria",
            "contact_points-0-kind": "email",
            "contact_points-0-value": "MARIA@example.com",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    # The refusal is shown next to the address (its wording is the parties app's).
    assert 'id="contact_points-0-value-error"' in page
    assert "used by" in page
    assert Party.objects.count() == 1
