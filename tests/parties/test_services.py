from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.core.errors import Invalid
from clientela.parties.models import PartyChange
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import create_party, update_party


@pytest.mark.django_db
def test_a_created_person_gets_normalised_contacts_and_a_change_record(manager: User) -> None:
    data = PartyCreate.model_validate(
        {
            "kind": "person",
            "given_name": "José",
            "family_name": "Müller",
            "contact_points": [
                {"kind": "email", "value": " Jose@Example.COM "},
                {"kind": "phone", "value": "+351 912 345 678"},
            ],
        }
    )
    party = create_party(data, by=manager)
    normalized = sorted(party.contact_points.values_list("normalized", flat=True))
    assert normalized == ["+351912345678", "jose@example.com"]
    assert "jose muller" in party.search_text
    change = PartyChange.objects.get(party=party)
    assert change.actor == manager
    assert change.action == "created"


@pytest.mark.django_db
def test_a_sales_user_cannot_assign_an_owner(sales_a: User, manager: User) -> None:
    party = create_party(PartyCreate(kind="person", given_name="Ana"), by=sales_a)
    with pytest.raises(Invalid) as caught:
        update_party(party, PartyUpdate(owner_id=manager.pk), by=sales_a)
    assert caught.value.errors[0].field == "owner_id"
    party.refresh_from_db()
    assert party.owner == sales_a
