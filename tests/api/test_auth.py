"""Who may call the API and what they may see and change: tokens, roles, teams, fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import ApiToken, Team, User
from clientela.commerce.models import Order, OrderLine
from clientela.interactions.models import Interaction
from clientela.parties.models import ContactPoint, Party, PartyChange, PartyRole, Tag
from tests.api.problems import assert_invalid, assert_problem, counts, send
from tests.factories import api_client as make_client
from tests.factories import make_interaction, make_order, make_party, make_user

ApiClient = Callable[[User], Client]
URL = "/api/v1/parties"
TABLES = (Party, ContactPoint, PartyRole, PartyChange, Tag, Interaction, Order, OrderLine)


@pytest.fixture
def party_of_a(sales_a: User) -> Party:
    party = make_party(owner=sales_a, team=sales_a.team, external_id="A-1")
    make_interaction(party)
    make_order(party)
    return party


def order_body(party: Party, external_id: str = "O-1") -> dict[str, object]:
    return {
        "external_id": external_id,
        "party_id": party.pk,
        "ordered_at": "2024-05-01T10:00:00Z",
        "total": "10.00",
        "currency": "EUR",
    }


# Tokens


@pytest.mark.django_db
def test_a_request_without_a_token_gets_401_as_a_problem_document() -> None:
    response = Client().get(URL)
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert "token" in body["detail"]


@pytest.mark.django_db
def test_a_token_that_was_never_issued_gets_401() -> None:
    client = Client(HTTP_AUTHORIZATION="Bearer cl_made-up-token")
    assert_problem(client.get(URL), 401)


@pytest.mark.django_db
def test_a_disabled_users_token_stops_working_at_once(sales_a: User) -> None:
    client = make_client(sales_a)
    assert client.get(URL).status_code == 200
    sales_a.is_active = False
    sales_a.save()
    assert_problem(client.get(URL), 401)


@pytest.mark.django_db
def test_a_revoked_token_gets_401(sales_a: User) -> None:
    client = make_client(sales_a)
    ApiToken.objects.filter(user=sales_a).update(revoked_at=timezone.now())
    assert_problem(client.get(URL), 401)


@pytest.mark.django_db
def test_only_the_digest_of_a_token_is_stored(sales_a: User) -> None:
    client = make_client(sales_a)
    raw = client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    token = ApiToken.objects.get(user=sales_a)
    assert raw not in {token.digest, token.prefix}
    assert len(token.digest) == 64


# Team boundaries


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "{url}/{id}", None),
        ("PATCH", "{url}/{id}", {"notes": "mine now"}),
        ("DELETE", "{url}/{id}", None),
        ("GET", "{url}/{id}/timeline", None),
        ("GET", "/api/v1/interactions?party_id={id}", None),
        ("GET", "/api/v1/orders?party_id={id}", None),
        (
            "POST",
            "/api/v1/interactions",
            {"channel": "phone", "direction": "outbound", "notes": "x"},
        ),
        ("POST", "/api/v1/orders", {}),
    ],
)
def test_a_sales_user_of_another_team_gets_404_for_the_party(
    sales_b: User, party_of_a: Party, method: str, path: str, body: dict[str, object] | None
) -> None:
    before = counts(*TABLES)
    if body is not None and "interactions" in path:
        body = {**body, "party_id": party_of_a.pk}
    if body is not None and path.endswith("orders"):
        body = order_body(party_of_a)
    response = send(make_client(sales_b), method, path.format(url=URL, id=party_of_a.pk), body)
    assert_problem(response, 404)
    assert counts(*TABLES) == before
    party_of_a.refresh_from_db()
    assert party_of_a.archived_at is None
    assert party_of_a.notes == ""


@pytest.mark.django_db
def test_an_order_for_another_teams_party_by_external_id_gets_404(
    sales_b: User, party_of_a: Party
) -> None:
    body = order_body(party_of_a)
    del body["party_id"]
    body["party_external_id"] = "A-1"
    response = send(make_client(sales_b), "POST", "/api/v1/orders", body)
    assert_problem(response, 404)
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_sales_and_support_list_only_what_they_or_their_team_own(
    sales_a: User, sales_b: User
) -> None:
    teammate = make_user(role="sales", team="Team A")
    support_a = make_user(role="support", team="Team A")
    own = make_party(owner=sales_a)
    team = make_party(owner=teammate, team=sales_a.team)
    make_party(owner=sales_b, team=sales_b.team)
    make_party()  # nobody's
    for user in (sales_a, support_a):
        items = make_client(user).get(URL).json()["items"]
        expected = {own.pk, team.pk} if user == sales_a else {team.pk}
        assert {p["id"] for p in items} == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_list_every_party(sales_a: User, sales_b: User, role: str) -> None:
    parties = {
        make_party(owner=sales_a, team=sales_a.team).pk,
        make_party(owner=sales_b, team=sales_b.team).pk,
        make_party().pk,
    }
    items = make_client(make_user(role=role)).get(URL).json()["items"]
    assert {p["id"] for p in items} == parties


@pytest.mark.django_db
def test_lists_of_interactions_and_orders_show_only_visible_parties(
    sales_b: User, party_of_a: Party
) -> None:
    client = make_client(sales_b)
    assert client.get("/api/v1/interactions").json()["items"] == []
    assert client.get("/api/v1/orders").json()["items"] == []


# Viewers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", URL, {"kind": "person", "given_name": "Ana"}),
        ("PATCH", URL + "/{id}", {"notes": "changed"}),
        ("DELETE", URL + "/{id}", None),
        (
            "POST",
            "/api/v1/interactions",
            {"channel": "phone", "direction": "inbound", "notes": "x"},
        ),
        ("POST", "/api/v1/orders", {}),
    ],
)
def test_a_viewer_gets_403_on_every_write_and_nothing_changes(
    viewer: User, party_of_a: Party, method: str, path: str, body: dict[str, object] | None
) -> None:
    before = counts(*TABLES)
    if path.endswith("interactions"):
        body = {**(body or {}), "party_id": party_of_a.pk}
    if path.endswith("orders"):
        body = order_body(party_of_a)
    response = send(make_client(viewer), method, path.format(id=party_of_a.pk), body)
    assert_problem(response, 403)
    assert counts(*TABLES) == before
    party_of_a.refresh_from_db()
    assert (party_of_a.notes, party_of_a.archived_at) == ("", None)


@pytest.mark.django_db
def test_a_viewer_gets_403_on_bulk_orders_and_nothing_changes(
    viewer: User, party_of_a: Party
) -> None:
    import json

    before = counts(*TABLES)
    response = make_client(viewer).post(
        "/api/v1/orders/bulk",
        data=json.dumps(order_body(party_of_a)) + "\n",
        content_type="application/x-ndjson",
    )
    assert_problem(response, 403)
    assert counts(*TABLES) == before


@pytest.mark.django_db
def test_a_viewer_may_read(viewer: User, party_of_a: Party) -> None:
    client = make_client(viewer)
    assert client.get(f"{URL}/{party_of_a.pk}").status_code == 200
    assert client.get(f"{URL}/{party_of_a.pk}/timeline").status_code == 200


# Fields nobody may write, and fields only managers may write


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("id", 999), ("created_at", "2020-01-01T00:00:00Z"), ("updated_at", "x")]
)
def test_a_body_carrying_id_or_timestamps_is_refused_and_nothing_changes(
    manager: User, party_of_a: Party, field: str, value: object
) -> None:
    client = make_client(manager)
    before = counts(*TABLES)
    created = send(client, "POST", URL, {"kind": "person", "given_name": "Ana", field: value})
    assert_invalid(created, field, value)
    patched = send(client, "PATCH", f"{URL}/{party_of_a.pk}", {"notes": "x", field: value})
    assert_invalid(patched, field, value)
    assert counts(*TABLES) == before
    party_of_a.refresh_from_db()
    assert party_of_a.notes == ""


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["owner_id", "team_id"])
def test_a_sales_users_body_carrying_owner_or_team_is_refused_and_nothing_changes(
    sales_a: User, sales_b: User, party_of_a: Party, field: str
) -> None:
    value = sales_b.pk if field == "owner_id" else sales_b.team_id
    client = make_client(sales_a)
    before = counts(*TABLES)
    created = send(client, "POST", URL, {"kind": "person", "given_name": "Ana", field: value})
    assert_invalid(created, field, value)
    patched = send(client, "PATCH", f"{URL}/{party_of_a.pk}", {"notes": "x", field: value})
    assert_invalid(patched, field, value)
    assert counts(*TABLES) == before
    party_of_a.refresh_from_db()
    assert (party_of_a.owner_id, party_of_a.team_id, party_of_a.notes) == (
        sales_a.pk,
        sales_a.team_id,
        "",
    )


@pytest.mark.django_db
def test_a_party_created_by_a_sales_user_belongs_to_them_and_their_team(
    sales_a: User,
) -> None:
    response = send(make_client(sales_a), "POST", URL, {"kind": "person", "given_name": "Ana"})
    assert response.status_code == 201
    assert response.json()["owner"]["id"] == sales_a.pk
    assert response.json()["team"]["id"] == sales_a.team_id


@pytest.mark.django_db
def test_a_manager_may_hand_a_party_to_another_owner_and_team(
    manager: User, sales_a: User, sales_b: User, party_of_a: Party
) -> None:
    body = {"owner_id": sales_b.pk, "team_id": sales_b.team_id}
    response = send(make_client(manager), "PATCH", f"{URL}/{party_of_a.pk}", body)
    assert response.status_code == 200, response.content
    party_of_a.refresh_from_db()
    assert (party_of_a.owner_id, party_of_a.team_id) == (sales_b.pk, sales_b.team_id)
    change = PartyChange.objects.get(party=party_of_a)
    assert change.actor == manager
    assert change.changes["owner_id"] == [sales_a.pk, sales_b.pk]
    assert change.changes["team_id"] == [sales_a.team_id, sales_b.team_id]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["owner_id", "team_id"])
def test_a_manager_cannot_assign_an_owner_or_team_that_does_not_exist(
    manager: User, party_of_a: Party, field: str
) -> None:
    response = send(make_client(manager), "PATCH", f"{URL}/{party_of_a.pk}", {field: 424242})
    assert_invalid(response, field, 424242)


@pytest.mark.django_db
def test_a_sales_user_cannot_attach_a_party_to_another_teams_organization(
    sales_a: User, sales_b: User
) -> None:
    other = make_party(kind="organization", owner=sales_b, team=sales_b.team)
    client = make_client(sales_a)
    parent = send(
        client,
        "POST",
        URL,
        {"kind": "organization", "organization_name": "Mine", "parent_id": other.pk},
    )
    assert_invalid(parent, "parent_id", other.pk)
    affiliated = send(
        client,
        "POST",
        URL,
        {"kind": "person", "given_name": "Ana", "affiliations": [{"organization_id": other.pk}]},
    )
    assert_invalid(affiliated, "affiliations.0.organization_id", other.pk)
    assert Party.objects.count() == 1


@pytest.mark.django_db
def test_the_team_name_is_shown_but_not_other_users_secrets(
    manager: User, party_of_a: Party
) -> None:
    body = make_client(manager).get(f"{URL}/{party_of_a.pk}").json()
    assert body["team"] == {"id": party_of_a.team_id, "name": "Team A"}
    assert "password" not in str(body)
    assert Team.objects.count() == 1
