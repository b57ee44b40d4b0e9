"""Party pages: list and live search, create and edit through the API's rules, the 360 page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import User
from clientela.interactions.models import Channel
from clientela.parties.models import (
    ContactKind,
    CustomField,
    CustomFieldType,
    Party,
    PartyChange,
    PartyKind,
)
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def person_form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "person",
        "given_name": "Ana",
        "family_name": "Costa",
        "contact_points-0-kind": "email",
        "contact_points-0-value": "ana.costa@example.com",
        "contact_points-1-kind": "phone",
        "contact_points-1-value": "+351 912 345 678",
        "roles-0-role": "customer",
        "roles-0-since": "2023-04-01",
        "key_dates-0-kind": "birthday",
        "key_dates-0-day": "29",
        "key_dates-0-month": "2",
        "tags": "vip, newsletter",
        "notes": "Prefers calls.",
    }
    data.update(overrides)
    return data


# The list


def test_the_list_shows_only_parties_the_user_may_see(sales_a: User, web_client: WebClient) -> None:
    mine = factories.make_party(given_name="Mine", owner=sales_a, team=sales_a.team)
    other = factories.make_party(given_name="Hidden")

    body = web_client(sales_a).get("/parties/").content.decode()

    assert mine.display_name in body
    assert other.display_name not in body


def test_an_htmx_search_returns_only_the_rows_fragment(admin: User, web_client: WebClient) -> None:
    factories.make_party(given_name="Zelda", email="zelda@example.com")
    factories.make_party(given_name="Mario")

    response = web_client(admin).get("/parties/", {"q": "zelda"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Zelda" in body
    assert "Mario" not in body
    assert "1 party" in body


def test_the_list_filters_by_role_and_kind(admin: User, web_client: WebClient) -> None:
    factories.make_party(given_name="Sam", roles=("supplier",))
    factories.make_party(given_name="Cleo", roles=("customer",))
    factories.make_party(
        kind=PartyKind.ORGANIZATION, organization_name="Supplies Ltd", roles=("supplier",)
    )

    body = web_client(admin).get("/parties/", {"role": "supplier", "kind": "person"}).content
    text = body.decode()

    assert "Sam" in text
    assert "Cleo" not in text
    assert "Supplies Ltd" not in text


def test_a_filter_that_is_not_a_number_is_named_on_the_page(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).get("/parties/", {"owner": "abc"})

    assert response.status_code == 200
    assert "must be a whole number" in response.content.decode()
    assert "abc" in response.content.decode()


def test_the_list_runs_a_bounded_number_of_queries(
    admin: User, web_client: WebClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(30):
        factories.make_party(email=f"p{n}@example.com", phone=f"+3519123400{n:02d}")
    client = web_client(admin)

    # Besides the rows: the saved views beside the list, the custom fields (columns to choose)
    # and the static lists (bulk "add to a list").
    with django_assert_max_num_queries(15):
        response = client.get("/parties/")

    assert response.content.decode().count('class="row-link"') == 30


# Create


def test_a_person_is_created_with_contacts_roles_dates_and_tags(
    sales_a: User, web_client: WebClient
) -> None:
    response = web_client(sales_a).post("/parties/new/", person_form())

    party = Party.objects.get(family_name="Costa")
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{party.pk}/"
    assert {(c.kind, c.normalized) for c in party.contact_points.all()} == {
        (ContactKind.EMAIL, "ana.costa@example.com"),
        (ContactKind.PHONE, "+351912345678"),
    }
    assert [r.role for r in party.roles.all()] == ["customer"]
    assert [(k.month, k.day, k.year) for k in party.key_dates.all()] == [(2, 29, None)]
    assert sorted(t.name for t in party.tags.all()) == ["newsletter", "vip"]
    assert party.owner == sales_a
    assert party.team == sales_a.team


def test_an_invalid_email_is_shown_next_to_its_field_and_nothing_is_saved(
    admin: User, web_client: WebClient
) -> None:
    form = person_form(**{"contact_points-1-value": "not a phone", "roles-0-since": "yesterday"})
    form["contact_points-0-value"] = "ana@@example"

    response = web_client(admin).post("/parties/new/", form)

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="contact_points-0-value-error"' in body
    assert "is not a valid e-mail address" in body
    assert "ana@@example" in body  # the typed value is kept and named
    assert 'id="contact_points-1-value-error"' in body
    assert 'id="roles-0-since-error"' in body
    assert not Party.objects.exists()
    assert not PartyChange.objects.exists()


def test_an_organization_without_a_name_gets_the_error_on_the_name(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post("/parties/new/", {"kind": "organization"})

    assert response.status_code == 422
    assert 'id="organization_name-error"' in response.content.decode()


def test_a_custom_field_of_the_wrong_type_is_refused_on_its_field(
    admin: User, web_client: WebClient
) -> None:
    CustomField.objects.create(key="employees", label="Employees", type=CustomFieldType.NUMBER)

    response = web_client(admin).post("/parties/new/", person_form(**{"custom-employees": "many"}))

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="custom-employees-error"' in body
    assert "must be a number" in body
    assert not Party.objects.exists()


def test_an_organization_is_created_under_a_parent(admin: User, web_client: WebClient) -> None:
    parent = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Group")

    web_client(admin).post(
        "/parties/new/",
        {
            "kind": "organization",
            "organization_name": "Group Porto",
            "organization_level": "location",
            "parent_id": str(parent.pk),
        },
    )

    child = Party.objects.get(organization_name="Group Porto")
    assert child.parent == parent
    assert child.organization_level == "location"


def test_a_person_is_affiliated_to_a_visible_organization(
    admin: User, web_client: WebClient
) -> None:
    org = factories.make_party(kind=PartyKind.ORGANIZATION)

    web_client(admin).post(
        "/parties/new/",
        person_form(
            **{"affiliations-0-organization_id": str(org.pk), "affiliations-0-title": "CFO"}
        ),
    )

    person = Party.objects.get(family_name="Costa")
    assert [(a.organization, a.title) for a in person.affiliations.all()] == [(org, "CFO")]


def test_a_manager_assigns_owner_and_team(
    manager: User, sales_b: User, web_client: WebClient
) -> None:
    web_client(manager).post(
        "/parties/new/",
        person_form(owner_id=str(sales_b.pk), team_id=str(sales_b.team_id)),
    )

    party = Party.objects.get(family_name="Costa")
    assert (party.owner, party.team) == (sales_b, sales_b.team)


def test_a_sales_user_cannot_hand_a_party_to_another_team(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    web_client(sales_a).post(
        "/parties/new/", person_form(owner_id=str(sales_b.pk), team_id=str(sales_b.team_id))
    )

    party = Party.objects.get(family_name="Costa")
    assert (party.owner, party.team) == (sales_a, sales_a.team)


def test_the_owner_field_is_shown_only_to_managers_and_admins(
    sales_a: User, manager: User, web_client: WebClient
) -> None:
    assert 'name="owner_id"' not in web_client(sales_a).get("/parties/new/").content.decode()
    assert 'name="owner_id"' in web_client(manager).get("/parties/new/").content.decode()


# Edit


def test_editing_shows_the_saved_values(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Rui", email="rui@example.com")

    body = web_client(admin).get(f"/parties/{party.pk}/edit/").content.decode()

    assert 'value="Rui"' in body
    assert 'value="rui@example.com"' in body


def test_editing_replaces_the_lists_and_logs_the_change(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Rui", email="rui@example.com", roles=("prospect",))

    response = web_client(admin).post(
        f"/parties/{party.pk}/edit/",
        {
            "given_name": "Rui",
            "family_name": "Alves",
            "contact_points-0-kind": "email",
            "contact_points-0-value": "rui.alves@example.com",
            "roles-0-role": "customer",
        },
    )

    party.refresh_from_db()
    assert response.status_code == 302
    assert party.display_name == "Rui Alves"
    assert [c.value for c in party.contact_points.all()] == ["rui.alves@example.com"]
    assert [r.role for r in party.roles.all()] == ["customer"]
    change = PartyChange.objects.get(party=party, action="updated")
    assert change.actor == admin
    assert "family_name" in change.changes


def test_a_refused_edit_changes_nothing(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Rui", family_name="Alves")

    response = web_client(admin).post(
        f"/parties/{party.pk}/edit/",
        {"given_name": "Rui", "family_name": "Silva", "timezone": "Mars/Olympus"},
    )

    party.refresh_from_db()
    assert response.status_code == 422
    assert 'id="timezone-error"' in response.content.decode()
    assert "Mars/Olympus" in response.content.decode()
    assert party.family_name == "Alves"


# Access


@pytest.mark.parametrize("suffix", ["", "edit/", "timeline/"])
def test_a_sales_user_of_another_team_gets_404(
    sales_a: User, sales_b: User, web_client: WebClient, suffix: str
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)

    response = web_client(sales_b).get(f"/parties/{party.pk}/{suffix}")

    assert response.status_code == 404


def test_a_sales_user_of_another_team_cannot_edit_by_post(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    party = factories.make_party(given_name="Kept", owner=sales_a, team=sales_a.team)

    response = web_client(sales_b).post(f"/parties/{party.pk}/edit/", {"given_name": "Taken"})

    party.refresh_from_db()
    assert response.status_code == 404
    assert party.given_name == "Kept"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/parties/new/"),
        ("post", "/parties/new/"),
        ("get", "/parties/{id}/edit/"),
        ("post", "/parties/{id}/edit/"),
        ("post", "/parties/{id}/archive/"),
    ],
)
def test_a_viewer_gets_403_on_every_write(
    viewer: User, web_client: WebClient, method: str, path: str
) -> None:
    party = factories.make_party(given_name="Same")

    response = getattr(web_client(viewer), method)(
        path.format(id=party.pk), person_form(given_name="Changed")
    )

    party.refresh_from_db()
    assert response.status_code == 403
    assert party.given_name == "Same"
    assert party.archived_at is None
    assert Party.objects.count() == 1


def test_a_viewer_sees_the_party_page_without_write_buttons(
    viewer: User, web_client: WebClient
) -> None:
    party = factories.make_party()

    body = web_client(viewer).get(f"/parties/{party.pk}/").content.decode()

    assert party.display_name in body
    assert "/edit/" not in body
    assert 'id="log-form"' not in body


def test_a_post_without_the_csrf_token_is_refused(admin: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    response = client.post("/parties/new/", person_form())

    assert response.status_code == 403
    assert not Party.objects.exists()


# The party page


def test_the_party_page_shows_the_customer_360(admin: User, web_client: WebClient) -> None:
    org = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Ltd")
    party = factories.make_party(given_name="Lia", email="lia@example.com", owner=admin)
    party.affiliations.create(organization=org, title="Buyer")
    factories.make_interaction(party, subject="Asked for a catalogue", channel=Channel.EMAIL)
    factories.make_order(
        party,
        external_id="ORD-77",
        total="100.00",
        currency="EUR",
        ordered_at=factories.aware(2024, 1, 5),
    )
    factories.make_order(
        party, total="50.00", currency="EUR", ordered_at=factories.aware(2024, 3, 1)
    )

    client = web_client(admin)
    body = client.get(f"/parties/{party.pk}/").content.decode()
    details = client.get(f"/parties/{party.pk}/?tab=details").content.decode()

    assert "lia@example.com" in body
    assert "Atlas Ltd" in body
    assert "Buyer" in details  # the title, in the "Details" section
    assert "Asked for a catalogue" in body
    assert "Order ORD-77" in body
    assert "150.00" in body  # total of the completed orders
    assert "Customer" in body


def test_an_organization_page_lists_its_people_and_subsidiaries(
    admin: User, web_client: WebClient
) -> None:
    org = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Ltd")
    factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Porto", parent=org)
    person = factories.make_party(given_name="Lia")
    person.affiliations.create(organization=org, title="Buyer")

    body = web_client(admin).get(f"/parties/{org.pk}/?tab=details").content.decode()

    assert "Atlas Porto" in body
    assert person.display_name in body


def test_the_party_page_shows_the_change_log(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)
    client.post("/parties/new/", person_form())
    party = Party.objects.get()

    body = client.get(f"/parties/{party.pk}/?tab=details").content.decode()

    assert "Change log" in body
    assert "Family name" in body
    assert "Costa" in body


def test_the_timeline_is_filtered_by_channel_with_htmx(admin: User, web_client: WebClient) -> None:
    party = factories.make_party()
    factories.make_interaction(party, channel=Channel.EMAIL, subject="By mail")
    factories.make_interaction(party, channel=Channel.PHONE, subject="By phone")

    response = web_client(admin).get(
        f"/parties/{party.pk}/timeline/", {"channel": "email"}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "<html" not in body
    assert "By mail" in body
    assert "By phone" not in body


def test_load_more_returns_the_next_page_of_the_timeline(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()
    for day in range(1, 31):
        factories.make_interaction(
            party, subject=f"Call {day:02d}", occurred_at=factories.aware(2024, 1, day)
        )
    client = web_client(admin)
    first = client.get(f"/parties/{party.pk}/").content.decode()
    assert "Call 30" in first
    assert "Call 01" not in first
    more = first.split('hx-get="')[-1].split('"')[0].replace("&amp;", "&")

    response = client.get(more, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "Call 01" in body
    assert "Call 30" not in body


def test_the_party_page_runs_a_bounded_number_of_queries(
    admin: User, web_client: WebClient, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    org = factories.make_party(kind=PartyKind.ORGANIZATION)
    party = factories.make_party(email="a@example.com", phone="+351912345678", parent=None)
    party.affiliations.create(organization=org)
    for _ in range(20):
        factories.make_interaction(party)
        factories.make_order(party)
    client = web_client(admin)

    # 26 today: the timeline reads one query per source (messages and delivery reports are the
    # newest two); a bound, not a count, so a new section shows up here.
    with django_assert_max_num_queries(27):
        response = client.get(f"/parties/{party.pk}/")

    assert response.status_code == 200


def test_archiving_hides_the_party_from_the_list(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Gone")
    client = web_client(admin)

    response = client.post(f"/parties/{party.pk}/archive/")

    party.refresh_from_db()
    assert response.status_code == 302
    assert party.archived_at is not None
    assert 'class="row-link"' not in client.get("/parties/").content.decode()


def test_the_organization_picker_offers_only_visible_organizations(
    sales_a: User, web_client: WebClient
) -> None:
    factories.make_party(
        kind=PartyKind.ORGANIZATION, organization_name="Ours Ltd", owner=sales_a, team=sales_a.team
    )
    factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Theirs Ltd")

    body = web_client(sales_a).get("/parties/organizations/", {"q": "ltd"}).content.decode()

    assert "Ours Ltd" in body
    assert "Theirs Ltd" not in body
