from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from clientela.accounts.models import User
from clientela.core.errors import Conflict, DomainError, FieldError, Forbidden, Invalid
from clientela.parties.models import CustomField, CustomFieldType, Party, PartyChange, PartyKind
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import create_party, update_party
from tests.factories import make_party


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
    party = create_party(PartyCreate(kind=PartyKind.PERSON, given_name="Ana"), by=sales_a)
    with pytest.raises(Invalid) as caught:
        update_party(party, PartyUpdate(owner_id=manager.pk), by=sales_a)
    assert caught.value.errors[0].field == "owner_id"
    party.refresh_from_db()
    assert party.owner == sales_a


# Every refusal carries a code, the values it names, and a message rendered where it is read.


def _codes(error: DomainError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def _person(**fields: Any) -> PartyCreate:
    return PartyCreate.model_validate({"kind": "person", "given_name": "Ana", **fields})


@pytest.mark.django_db
def test_a_party_without_a_name_is_refused_on_the_name_field(manager: User) -> None:
    with pytest.raises(Invalid) as person:
        create_party(PartyCreate(kind=PartyKind.PERSON), by=manager)
    with pytest.raises(Invalid) as organization:
        create_party(PartyCreate(kind=PartyKind.ORGANIZATION), by=manager)

    assert _codes(person.value) == {"given_name": "person_name_required"}
    assert _codes(organization.value) == {"organization_name": "organization_name_required"}
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_assigning_an_owner_or_team_needs_a_manager_and_one_that_exists(
    sales_a: User, manager: User
) -> None:
    with pytest.raises(Invalid) as by_sales:
        create_party(_person(owner_id=manager.pk, team_id=sales_a.team_id), by=sales_a)
    with pytest.raises(Invalid) as unknown:
        create_party(_person(owner_id=999_999, team_id=999_999), by=manager)

    assert _codes(by_sales.value) == {"owner_id": "assign_forbidden", "team_id": "assign_forbidden"}
    assert _codes(unknown.value) == {"owner_id": "owner_not_found", "team_id": "team_not_found"}


@pytest.mark.django_db
def test_parents_and_affiliations_must_be_visible_organizations(
    sales_a: User, sales_b: User
) -> None:
    hidden = make_party(kind=PartyKind.ORGANIZATION, owner=sales_b, team=sales_b.team)
    own = make_party(kind=PartyKind.ORGANIZATION, owner=sales_a)

    with pytest.raises(Invalid) as person_parent:
        create_party(_person(parent_id=own.pk), by=sales_a)
    with pytest.raises(Invalid) as hidden_parent:
        create_party(
            PartyCreate.model_validate(
                {"kind": "organization", "organization_name": "Sub", "parent_id": hidden.pk}
            ),
            by=sales_a,
        )
    with pytest.raises(Invalid) as affiliations:
        create_party(_person(affiliations=[{"organization_id": hidden.pk}]), by=sales_a)
    with pytest.raises(Invalid) as org_affiliated:
        create_party(
            PartyCreate.model_validate(
                {
                    "kind": "organization",
                    "organization_name": "Org",
                    "affiliations": [{"organization_id": own.pk}],
                }
            ),
            by=sales_a,
        )

    assert _codes(person_parent.value) == {"parent_id": "parent_not_allowed"}
    assert _codes(hidden_parent.value) == {"parent_id": "organization_not_visible"}
    assert _codes(affiliations.value) == {
        "affiliations.0.organization_id": "organization_not_visible"
    }
    assert _codes(org_affiliated.value) == {"affiliations": "affiliation_not_person"}


@pytest.mark.django_db
def test_a_parent_that_would_make_a_loop_is_refused(manager: User) -> None:
    top = make_party(kind=PartyKind.ORGANIZATION)
    child = make_party(kind=PartyKind.ORGANIZATION, parent=top)

    with pytest.raises(Invalid) as caught:
        update_party(top, PartyUpdate(parent_id=child.pk), by=manager)

    assert _codes(caught.value) == {"parent_id": "parent_loop"}


@pytest.mark.django_db
def test_an_external_id_in_use_is_refused(manager: User) -> None:
    make_party(external_id="C-1")

    with pytest.raises(Invalid) as caught:
        create_party(_person(external_id="C-1"), by=manager)

    assert _codes(caught.value) == {"external_id": "external_id_in_use"}


@pytest.mark.django_db
def test_an_email_in_use_names_the_party_in_its_params(manager: User) -> None:
    existing = make_party(email="maria@example.com")

    with pytest.raises(Conflict) as caught:
        create_party(
            _person(contact_points=[{"kind": "email", "value": "Maria@example.com"}]), by=manager
        )

    assert caught.value.code == "party_contact_in_use"
    (error,) = caught.value.errors
    assert (error.code, error.params) == ("contact_in_use", {"party": existing.pk})
    assert error.text() == f"is used by party {existing.pk}"


@pytest.mark.django_db
def test_a_viewer_is_refused_with_the_read_only_code(viewer: User) -> None:
    with pytest.raises(Forbidden) as caught:
        create_party(_person(), by=viewer)

    assert caught.value.code == "role_read_only"


FIELDS = {
    "text": CustomFieldType.TEXT,
    "size": CustomFieldType.NUMBER,
    "since": CustomFieldType.DATE,
    "tier": CustomFieldType.CHOICE,
    "vip": CustomFieldType.BOOLEAN,
}


@pytest.fixture
def custom_fields(db: None) -> None:
    for key, kind in FIELDS.items():
        CustomField.objects.create(
            key=key, label=key.title(), type=kind, choices=["gold", "silver"]
        )
    CustomField.objects.create(key="region", label="Region", type="text", required=True)


@pytest.mark.usefixtures("custom_fields")
def test_each_custom_field_rule_has_its_code(manager: User) -> None:
    values = {
        "text": "x" * 1001,
        "since": "2024-13-01",
        "tier": "bronze",
        "vip": "maybe",
        "unknown": 1,
    }
    numbers = {
        "1e20": "custom_number_too_large",
        "abc": "custom_number_invalid",
        "NaN": "custom_number_not_finite",
    }

    with pytest.raises(Invalid) as caught:
        create_party(_person(custom=values), by=manager)

    assert _codes(caught.value) == {
        "custom.text": "custom_text_invalid",
        "custom.since": "custom_date_invalid",
        "custom.tier": "custom_choice_invalid",
        "custom.vip": "custom_boolean_invalid",
        "custom.unknown": "custom_field_unknown",
        "custom.region": "custom_field_required",
    }
    tier = next(e for e in caught.value.errors if e.field == "custom.tier")
    assert tier.text() == "must be one of: gold, silver"
    for number, code in numbers.items():
        with pytest.raises(Invalid) as bad:
            create_party(_person(custom={"size": number, "region": "N"}), by=manager)
        assert _codes(bad.value) == {"custom.size": code}


@pytest.mark.django_db
def test_a_refusal_is_rendered_in_the_language_of_whoever_reads_it(manager: User) -> None:
    with pytest.raises(Invalid) as caught:
        create_party(PartyCreate(kind=PartyKind.ORGANIZATION), by=manager)
    (error,) = caught.value.errors

    with translation.override("pt"):
        portuguese = error.text()
    with translation.override("es"):
        spanish = error.text()

    assert portuguese != spanish
    assert error.text() == "an organization needs a name"
    assert FieldError.from_record(error.as_record()).text() == "an organization needs a name"


def test_the_package_front_offers_every_public_writer() -> None:
    from clientela.parties import services

    assert all(callable(getattr(services, name)) for name in services.__all__)
    with pytest.raises(AttributeError):
        services.no_such_writer  # noqa: B018  (the attribute access is what is tested)
