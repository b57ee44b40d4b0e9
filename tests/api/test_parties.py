"""Parties through /api/v1/parties: create, read, change, archive, filter, page."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.accounts.models import User
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    CustomField,
    KeyDate,
    Party,
    PartyChange,
    PartyRole,
    Tag,
)
from tests.api.problems import assert_invalid, assert_problem, counts, send, walk_pages
from tests.factories import make_party

ApiClient = Callable[[User], Client]
URL = "/api/v1/parties"
PARTY_TABLES = (Party, ContactPoint, PartyRole, KeyDate, Affiliation, PartyChange, Tag)


@pytest.fixture
def custom_fields(db: None) -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type="number")
    CustomField.objects.create(key="nickname", label="Nickname", type="text")
    CustomField.objects.create(key="first_visit", label="First visit", type="date")
    CustomField.objects.create(
        key="segment", label="Segment", type="choice", choices=["gold", "silver"]
    )
    CustomField.objects.create(key="vip", label="VIP", type="boolean")


def full_person(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "person",
        "given_name": "José",
        "family_name": "Müller",
        "external_id": "CRM-1",
        "language": "pt-BR",
        "timezone": "Europe/Lisbon",
        "contact_points": [
            {"kind": "email", "value": "Jose.Muller@Example.com"},
            {"kind": "phone", "value": "+351 912 345 678", "label": "mobile"},
            {"kind": "address", "value": "Rua Augusta 1", "locality": "Lisboa", "country": "PT"},
            {"kind": "website", "value": "https://jose.example.com"},
            {"kind": "social", "value": "@josem"},
        ],
        "roles": [{"role": "customer", "since": "2021-03-01"}, {"role": "investor"}],
        "key_dates": [
            {"kind": "birthday", "month": 2, "day": 29},
            {"kind": "wedding_anniversary", "year": 2010, "month": 6, "day": 12},
        ],
        "tags": ["vip", "newsletter"],
        "notes": "Prefers calls in the morning.",
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_a_person_is_created_with_contacts_roles_dates_and_tags(
    manager: User, api_client: ApiClient
) -> None:
    response = send(api_client(manager), "POST", URL, full_person())
    assert response.status_code == 201, response.content
    body = response.json()
    party = Party.objects.get(pk=body["id"])
    assert body["display_name"] == "José Müller"
    assert party.language == "pt-BR"
    assert party.timezone == "Europe/Lisbon"
    points = {p.kind: p.normalized for p in party.contact_points.all()}
    assert points["email"] == "jose.muller@example.com"
    assert points["phone"] == "+351912345678"
    assert all(p.is_primary for p in party.contact_points.all())  # first of each kind
    assert sorted(party.roles.values_list("role", flat=True)) == ["customer", "investor"]
    birthday = party.key_dates.get(kind="birthday")
    assert (birthday.year, birthday.month, birthday.day) == (None, 2, 29)
    assert body["tags"] == ["newsletter", "vip"]
    assert [d["year"] for d in body["key_dates"]] == [None, 2010]


@pytest.mark.django_db
def test_an_organization_is_created_with_a_parent_and_a_person_affiliated_to_it(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    group = send(client, "POST", URL, {"kind": "organization", "organization_name": "Acme Group"})
    local = send(
        client,
        "POST",
        URL,
        {
            "kind": "organization",
            "organization_name": "Acme Lisboa",
            "parent_id": group.json()["id"],
            "organization_level": "location",
        },
    )
    assert local.status_code == 201, local.content
    assert local.json()["parent"] == {"id": group.json()["id"], "name": "Acme Group"}
    person = send(
        client,
        "POST",
        URL,
        {
            "kind": "person",
            "given_name": "Ana",
            "affiliations": [{"organization_id": local.json()["id"], "title": "Buyer"}],
        },
    )
    assert person.status_code == 201, person.content
    assert person.json()["affiliations"][0]["organization"]["name"] == "Acme Lisboa"
    assert Affiliation.objects.get().title == "Buyer"


@pytest.mark.django_db
def test_custom_fields_of_every_type_are_stored_in_their_type(
    manager: User, api_client: ApiClient, custom_fields: None
) -> None:
    custom = {
        "shoe_size": "42",
        "nickname": "Zé",
        "first_visit": "2020-05-17",
        "segment": "gold",
        "vip": "yes",
    }
    response = send(api_client(manager), "POST", URL, full_person(custom=custom))
    assert response.status_code == 201, response.content
    stored = Party.objects.get().custom
    assert stored == {
        "shoe_size": 42,
        "nickname": "Zé",
        "first_visit": "2020-05-17",
        "segment": "gold",
        "vip": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("shoe_size", "forty"),
        ("nickname", 12),
        ("first_visit", "2020-02-30"),
        ("segment", "bronze"),
        ("vip", "perhaps"),
    ],
)
def test_a_custom_field_of_the_wrong_type_is_refused_and_nothing_is_written(
    manager: User, api_client: ApiClient, custom_fields: None, key: str, value: object
) -> None:
    before = counts(*PARTY_TABLES)
    response = send(api_client(manager), "POST", URL, full_person(custom={key: value}))
    assert_invalid(response, f"custom.{key}", value)
    assert counts(*PARTY_TABLES) == before


@pytest.mark.django_db
def test_an_unknown_custom_field_is_refused(
    manager: User, api_client: ApiClient, custom_fields: None
) -> None:
    response = send(api_client(manager), "POST", URL, full_person(custom={"colour": "red"}))
    assert_invalid(response, "custom.colour", "red")
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_custom_fields_are_validated_on_update_too(
    manager: User, api_client: ApiClient, custom_fields: None
) -> None:
    party = make_party(custom={"shoe_size": 40})
    response = send(
        api_client(manager), "PATCH", f"{URL}/{party.pk}", {"custom": {"shoe_size": True}}
    )
    assert_invalid(response, "custom.shoe_size", True)
    party.refresh_from_db()
    assert party.custom == {"shoe_size": 40}


@pytest.mark.django_db
def test_a_party_is_returned_whole(manager: User, api_client: ApiClient) -> None:
    client = api_client(manager)
    created = send(client, "POST", URL, full_person()).json()
    response = client.get(f"{URL}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.django_db
def test_patch_changes_only_the_fields_that_were_sent(manager: User, api_client: ApiClient) -> None:
    client = api_client(manager)
    created = send(client, "POST", URL, full_person()).json()
    response = send(client, "PATCH", f"{URL}/{created['id']}", {"family_name": "Silva"})
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["display_name"] == "José Silva"
    unchanged = {k: v for k, v in changed.items() if k not in {"family_name", "display_name"}}
    expected = {k: v for k, v in created.items() if k not in {"family_name", "display_name"}}
    unchanged.pop("updated_at")
    expected.pop("updated_at")
    assert unchanged == expected


@pytest.mark.django_db
def test_a_list_sent_in_a_patch_replaces_the_whole_list(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    created = send(client, "POST", URL, full_person()).json()
    send(client, "PATCH", f"{URL}/{created['id']}", {"roles": [{"role": "partner"}]})
    assert list(PartyRole.objects.values_list("role", flat=True)) == ["partner"]


@pytest.mark.django_db
def test_delete_archives_the_party_so_it_is_gone_from_reads_and_lists(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    party = make_party()
    response = client.delete(f"{URL}/{party.pk}")
    assert response.status_code == 204
    party.refresh_from_db()
    assert party.archived_at is not None
    assert_problem(client.get(f"{URL}/{party.pk}"), 404)
    assert client.get(URL).json()["items"] == []


@pytest.mark.django_db
def test_every_change_records_who_when_and_what(manager: User, api_client: ApiClient) -> None:
    client = api_client(manager)
    party_id = send(client, "POST", URL, full_person()).json()["id"]
    send(client, "PATCH", f"{URL}/{party_id}", {"family_name": "Silva", "tags": ["vip"]})
    client.delete(f"{URL}/{party_id}")
    created, updated, archived = PartyChange.objects.filter(party_id=party_id).order_by("id")
    assert [c.action for c in (created, updated, archived)] == ["created", "updated", "archived"]
    assert {c.actor for c in (created, updated, archived)} == {manager}
    assert all(c.at is not None for c in (created, updated, archived))
    assert created.changes["given_name"] == [None, "José"]
    assert updated.changes == {
        "family_name": ["Müller", "Silva"],
        "tags": [["newsletter", "vip"], ["vip"]],
    }
    assert archived.changes == {"archived": [False, True]}


@pytest.mark.django_db
def test_a_patch_that_changes_nothing_records_no_change(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    party_id = send(client, "POST", URL, full_person()).json()["id"]
    send(client, "PATCH", f"{URL}/{party_id}", {"family_name": "Müller"})
    assert PartyChange.objects.filter(party_id=party_id).count() == 1


@pytest.mark.django_db
def test_an_organization_cannot_become_its_own_ancestor(
    manager: User, api_client: ApiClient
) -> None:
    group = make_party(kind="organization")
    child = make_party(kind="organization", parent=group)
    response = send(api_client(manager), "PATCH", f"{URL}/{group.pk}", {"parent_id": child.pk})
    assert_invalid(response, "parent_id", child.pk)
    group.refresh_from_db()
    assert group.parent_id is None


@pytest.mark.django_db
def test_a_party_can_be_found_by_accent_and_case_free_name_email_or_phone(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    jose = send(client, "POST", URL, full_person()).json()["id"]
    make_party(given_name="Joana", family_name="Costa", email="joana@example.com")

    def found(q: str) -> list[int]:
        return [p["id"] for p in client.get(URL, {"q": q}).json()["items"]]

    assert found("jose muller") == [jose]
    assert found("MÜLLER") == [jose]
    assert found("José") == [jose]
    assert found("jose.muller@EXAMPLE.com") == [jose]
    assert found("912 345 678") == [jose]
    assert found("+351912345678") == [jose]
    assert found("nobody") == []


@pytest.mark.django_db
def test_parties_are_filtered_by_kind_role_tag_owner_and_team(
    manager: User, sales_a: User, api_client: ApiClient
) -> None:
    tag = Tag.objects.create(name="vip")
    person = make_party(roles=("customer", "customer"), owner=sales_a, team=sales_a.team)
    person.tags.add(tag)
    org = make_party(kind="organization", roles=("supplier",))
    client = api_client(manager)

    def ids(**query: str | int) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["items"]]

    assert ids(kind="organization") == [org.pk]
    assert ids(role="customer") == [person.pk]
    assert ids(role="supplier") == [org.pk]
    assert ids(tag="vip") == [person.pk]
    assert ids(owner_id=sales_a.pk) == [person.pk]
    assert ids(team_id=str(sales_a.team_id)) == [person.pk]
    assert ids(role="customer", kind="organization") == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["owner_id", "team_id"])
def test_an_owner_or_team_that_does_not_exist_filters_to_an_empty_list(
    manager: User, api_client: ApiClient, name: str
) -> None:
    make_party()
    response = api_client(manager).get(URL, {name: 987654})
    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["owner_id", "team_id"])
@pytest.mark.parametrize(("value", "code"), [(2**70, "less_than_equal"), (0, "greater_than_equal")])
def test_an_owner_or_team_id_no_row_can_have_is_refused_naming_it(
    manager: User, api_client: ApiClient, name: str, value: int, code: str
) -> None:
    response = api_client(manager).get(URL, {name: value})
    assert assert_invalid(response, name, str(value))["code"] == code


@pytest.mark.django_db
def test_an_unknown_role_filter_is_refused_naming_the_value(
    manager: User, api_client: ApiClient
) -> None:
    assert_invalid(api_client(manager).get(URL, {"role": "wizard"}), "role", "wizard")


@pytest.mark.django_db
def test_cursor_pagination_walks_every_party_exactly_once(
    manager: User, api_client: ApiClient
) -> None:
    expected = {make_party().pk for _ in range(23)}
    pages = walk_pages(api_client(manager), URL, 5)
    seen = [p["id"] for page in pages for p in page]
    assert len(pages) == 5
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4Il0", "W10", "é"])
def test_a_bad_cursor_is_refused_naming_the_cursor(
    manager: User, api_client: ApiClient, cursor: str
) -> None:
    response = api_client(manager).get(URL, {"cursor": cursor})
    assert_invalid(response, "cursor", cursor)


@pytest.mark.django_db
def test_the_party_list_shows_the_primary_email_and_phone(
    manager: User, api_client: ApiClient
) -> None:
    make_party(email="ana@example.com", phone="+351912345678")
    row = api_client(manager).get(URL).json()["items"][0]
    assert row["primary_email"] == "ana@example.com"
    assert row["primary_phone"] == "+351912345678"
    assert row["roles"] == ["customer"]


@pytest.mark.django_db
def test_an_external_id_already_used_is_refused(manager: User, api_client: ApiClient) -> None:
    make_party(external_id="CRM-1")
    response = send(api_client(manager), "POST", URL, full_person())
    assert_invalid(response, "external_id", "CRM-1")
    assert Party.objects.count() == 1


@pytest.mark.django_db
def test_a_body_that_is_not_json_gets_a_problem_document(
    manager: User, api_client: ApiClient
) -> None:
    response = api_client(manager).post(URL, data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert body["detail"]
    assert json.loads(response.content)["title"] == "Bad Request"


# Bad input: 422 naming the field and the value, and nothing half-written


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        (
            {"contact_points": [{"kind": "email", "value": "jose@@example"}]},
            "contact_points.0.value",
            "jose@@example",
        ),
        (
            {
                "contact_points": [
                    {"kind": "email", "value": "a@b.pt"},
                    {"kind": "phone", "value": "12"},
                ]
            },
            "contact_points.1.value",
            "12",
        ),
        (
            {"contact_points": [{"kind": "website", "value": "javascript:alert(1)"}]},
            "contact_points.0.value",
            "javascript:alert(1)",
        ),
        ({"contact_points": [{"kind": "fax", "value": "1"}]}, "contact_points.0.kind", "fax"),
        ({"roles": [{"role": "wizard"}]}, "roles.0.role", "wizard"),
        ({"roles": [{"role": "customer", "since": "2021-02-30"}]}, "roles.0.since", "2021-02-30"),
        (
            {"roles": [{"role": "customer", "since": "2021-02-01", "until": "2020-01-01"}]},
            "roles.0.until",
            "2020-01-01",
        ),
        ({"key_dates": [{"kind": "birthday", "month": 2, "day": 30}]}, "key_dates.0.day", 30),
        ({"key_dates": [{"kind": "birthday", "month": 13, "day": 1}]}, "key_dates.0.month", 13),
        ({"timezone": "Mars/Olympus"}, "timezone", "Mars/Olympus"),
        ({"language": "portuguese"}, "language", "portuguese"),
        ({"tags": ["<script>"]}, "tags", None),
        ({"kind": "robot"}, "kind", "robot"),
        ({"given_name": "", "family_name": ""}, "given_name", ""),
        ({"parent_id": 1}, "parent_id", 1),
    ],
)
def test_bad_party_input_is_refused_naming_field_and_value_and_nothing_is_written(
    manager: User, api_client: ApiClient, change: dict[str, object], field: str, value: object
) -> None:
    before = counts(*PARTY_TABLES)
    response = send(api_client(manager), "POST", URL, full_person(**change))
    error = assert_invalid(response, field, value)
    assert error["message"]
    assert field in response.json()["detail"]
    assert counts(*PARTY_TABLES) == before


@pytest.mark.django_db
def test_every_problem_in_a_body_is_reported_at_once(manager: User, api_client: ApiClient) -> None:
    body = full_person(timezone="Nowhere", language="??", roles=[{"role": "wizard"}])
    errors = assert_problem(send(api_client(manager), "POST", URL, body), 422)["errors"]
    assert {e["field"] for e in errors} >= {"timezone", "language", "roles.0.role"}


@pytest.mark.django_db
def test_a_bad_patch_leaves_the_party_and_its_lists_as_they_were(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    party_id = send(client, "POST", URL, full_person()).json()["id"]
    before = counts(*PARTY_TABLES)
    body = {
        "family_name": "Silva",
        "roles": [{"role": "partner"}],
        "contact_points": [
            {"kind": "email", "value": "ok@example.com"},
            {"kind": "phone", "value": "x"},
        ],
    }
    assert_invalid(send(client, "PATCH", f"{URL}/{party_id}", body), "contact_points.1.value", "x")
    assert counts(*PARTY_TABLES) == before
    party = Party.objects.get(pk=party_id)
    assert party.family_name == "Müller"
    assert sorted(party.roles.values_list("role", flat=True)) == ["customer", "investor"]


@pytest.mark.django_db
def test_two_primary_contacts_of_one_kind_are_refused(manager: User, api_client: ApiClient) -> None:
    points = [
        {"kind": "email", "value": "a@example.com", "is_primary": True},
        {"kind": "email", "value": "b@example.com", "is_primary": True},
    ]
    response = send(api_client(manager), "POST", URL, full_person(contact_points=points))
    assert_invalid(response, "contact_points")
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_a_person_cannot_have_a_parent_organization(manager: User, api_client: ApiClient) -> None:
    org = make_party(kind="organization")
    response = send(api_client(manager), "POST", URL, full_person(parent_id=org.pk))
    assert_invalid(response, "parent_id", org.pk)


@pytest.mark.django_db
def test_a_party_id_too_large_for_the_database_is_simply_not_found(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    assert_problem(client.get(f"{URL}/{2**70}"), 404)
    assert_problem(client.get(f"{URL}/{2**70}/timeline"), 404)
    assert_invalid(send(client, "POST", URL, full_person(parent_id=2**70)), "parent_id", 2**70)


# Query bounds


@pytest.mark.django_db
def test_listing_parties_takes_a_fixed_number_of_queries(
    manager: User,
    api_client: ApiClient,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    tag = Tag.objects.create(name="vip")
    for n in range(30):
        party = make_party(
            email=f"p{n}@example.com", phone="+351912345678", owner=manager, team=manager.team
        )
        party.tags.add(tag)
    client = api_client(manager)
    # token, its last-used mark, the page, then roles, tags and contact points
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"q": "example", "role": "customer", "tag": "vip"})
    assert len(response.json()["items"]) == 30


@pytest.mark.django_db
def test_reading_a_party_takes_a_fixed_number_of_queries(
    manager: User,
    api_client: ApiClient,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    client = api_client(manager)
    orgs = [make_party(kind="organization") for _ in range(30)]
    body = full_person(
        affiliations=[{"organization_id": o.pk} for o in orgs],
        contact_points=[{"kind": "email", "value": f"p{n}@example.com"} for n in range(30)],
        roles=[{"role": "customer"}] * 30,
        key_dates=[{"kind": "custom", "month": 1, "day": 1 + n} for n in range(30)],
        tags=[f"tag{n}" for n in range(30)],
    )
    party_id = send(client, "POST", URL, body).json()["id"]
    # token, its last-used mark, the party, then tags, roles, contacts, dates, affiliations
    with django_assert_max_num_queries(8):
        response = client.get(f"{URL}/{party_id}")
    assert len(response.json()["affiliations"]) == 30
