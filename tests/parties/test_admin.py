"""The admin's parties pages: only admins reach them; parties are shown, not edited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.parties.models import CustomField, Party, PartyAlias, PartyChange, Tag
from tests.factories import make_party

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
CHANGELISTS = ("party", "customfield", "tag", "partychange", "partyalias")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_an_admin_sees_each_changelist(model: str, admin: User, web_client: WebClient) -> None:
    make_party(email="maria@example.com").tags.add(Tag.objects.create(name="vip"))
    CustomField.objects.create(key="size", label="Size", type="number")
    PartyChange.objects.create(party=Party.objects.get(), action="created")
    PartyAlias.objects.create(party=Party.objects.get(), external_id="SHOP-9")

    response = web_client(admin).get(f"/admin/parties/{model}/")

    assert response.status_code == 200


@pytest.mark.parametrize("model", CHANGELISTS)
def test_a_manager_does_not_reach_the_admin(
    model: str, manager: User, web_client: WebClient
) -> None:
    response = web_client(manager).get(f"/admin/parties/{model}/")

    assert response.status_code == 403


def test_a_party_is_shown_with_its_contact_points_and_cannot_be_edited(
    admin: User, web_client: WebClient
) -> None:
    party = make_party(email="maria@example.com", given_name="Maria", family_name="Gomes")
    client = web_client(admin)

    page = client.get(f"/admin/parties/party/{party.pk}/change/")
    client.post(f"/admin/parties/party/{party.pk}/change/", {"given_name": "Changed"})

    assert page.status_code == 200
    assert "maria@example.com" in page.content.decode()
    party.refresh_from_db()
    assert party.given_name == "Maria"


def test_parties_are_found_by_email_and_external_id(admin: User, web_client: WebClient) -> None:
    make_party(email="maria@example.com", given_name="Maria", external_id="C-77")
    make_party(email="rui@example.com", given_name="Rui")
    client = web_client(admin)

    by_email = client.get("/admin/parties/party/", {"q": "MARIA@example.com"}).content.decode()
    by_id = client.get("/admin/parties/party/", {"q": "C-77"}).content.decode()

    assert "Maria" in by_email
    assert "Rui" not in by_email
    assert "Maria" in by_id


def test_archiving_from_the_admin_goes_through_the_service(
    admin: User, web_client: WebClient
) -> None:
    party = make_party()

    response = web_client(admin).post(
        "/admin/parties/party/", {"action": "archive", "_selected_action": [party.pk]}
    )

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.archived_at is not None
    assert PartyChange.objects.get(party=party).action == "archived"


def test_the_change_log_is_read_only(admin: User, web_client: WebClient) -> None:
    change = PartyChange.objects.create(party=make_party(), action="created")
    client = web_client(admin)

    page = client.get(f"/admin/parties/partychange/{change.pk}/change/")
    delete = client.post(f"/admin/parties/partychange/{change.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert delete.status_code == 403
    assert client.get("/admin/parties/partychange/add/").status_code == 403
    assert PartyChange.objects.filter(pk=change.pk).exists()


def test_aliases_are_shown_with_their_party_and_never_written_in_the_admin(
    admin: User, web_client: WebClient
) -> None:
    party = make_party(given_name="Maria", external_id="CRM-1")
    alias = PartyAlias.objects.create(party=party, external_id="SHOP-9")
    client = web_client(admin)

    shown = client.get(f"/admin/parties/party/{party.pk}/change/").content.decode()
    found = client.get("/admin/parties/partyalias/", {"q": "SHOP-9"}).content.decode()
    page = client.get(f"/admin/parties/partyalias/{alias.pk}/change/")
    changed = client.post(
        f"/admin/parties/partyalias/{alias.pk}/change/", {"external_id": "X", "party": party.pk}
    )
    deleted = client.post(f"/admin/parties/partyalias/{alias.pk}/delete/", {"post": "yes"})

    assert "SHOP-9" in shown
    assert "SHOP-9" in found
    assert page.status_code == 200
    assert changed.status_code == 403
    assert deleted.status_code == 403
    assert client.get("/admin/parties/partyalias/add/").status_code == 403
    assert list(PartyAlias.objects.values_list("party_id", "external_id")) == [(party.pk, "SHOP-9")]


def test_an_admin_defines_a_custom_field(admin: User, web_client: WebClient) -> None:
    response = web_client(admin).post(
        "/admin/parties/customfield/add/",
        {
            "key": "size",
            "label": "Size",
            "type": "number",
            "choices": '["ignored"]',
            "applies_to": "",
            "position": "0",
        },
    )

    assert response.status_code == 302
    field = CustomField.objects.get()
    assert (field.key, field.type, field.choices) == ("size", "number", [])
