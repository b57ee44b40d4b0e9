"""The administration through the API: /users, /users/invitations, /teams, /tokens, /audit
and /custom-fields; admins only where the page is, the same services and audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import ApiToken, AuditEntry, Role, Team, User
from clientela.accounts.services import record_audit
from clientela.parties.models import CustomField
from tests.api.problems import assert_problem, send
from tests.consent.conftest import Inbox
from tests.factories import make_user

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


def test_admins_list_users_without_their_hashes(
    admin: User, sales_a: User, api_client: ApiClient
) -> None:
    response = api_client(admin).get("/api/v1/users")
    assert response.status_code == 200
    rows = {row["email"]: row for row in response.json()}
    assert rows["sales.a@example.com"]["team"] == "Team A"
    assert rows["sales.a@example.com"]["role"] == "sales"
    assert "password" not in rows["sales.a@example.com"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_other_roles_are_refused_the_users_and_changes(
    role: str, sales_a: User, api_client: ApiClient
) -> None:
    client = api_client(make_user(role=role))
    assert_problem(client.get("/api/v1/users"), 403)
    assert_problem(send(client, "PATCH", f"/api/v1/users/{sales_a.pk}", {"role": "admin"}), 403)
    assert_problem(send(client, "POST", "/api/v1/teams", {"name": "X"}), 403)
    assert_problem(send(client, "POST", "/api/v1/custom-fields", {"key": "x", "label": "X"}), 403)
    sales_a.refresh_from_db()
    assert sales_a.role == Role.SALES
    assert not Team.objects.filter(name="X").exists()


def test_an_admin_invites_through_the_api_and_the_mail_is_sent(
    admin: User, api_client: ApiClient, smtp_inbox: Inbox
) -> None:
    team = Team.objects.create(name="North")
    response = send(
        api_client(admin),
        "POST",
        "/api/v1/users/invitations",
        {"email": "nova@example.com", "role": "sales", "team_id": team.pk},
    )
    assert response.status_code == 201
    assert (response.json()["email"], response.json()["team"]) == ("nova@example.com", "North")
    assert [m["To"] for m in smtp_inbox.messages] == ["nova@example.com"]
    unknown_role = send(
        api_client(admin),
        "POST",
        "/api/v1/users/invitations",
        {"email": "x@example.com", "role": "boss"},
    )
    assert_problem(unknown_role, 422)


def test_an_admin_changes_role_team_and_status_and_the_last_admin_stays(
    admin: User, sales_a: User, api_client: ApiClient
) -> None:
    client = api_client(admin)
    north = Team.objects.create(name="North")
    changed = send(
        client, "PATCH", f"/api/v1/users/{sales_a.pk}", {"role": "manager", "team_id": north.pk}
    )
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["team"]) == ("manager", "North")
    out = send(
        client, "PATCH", f"/api/v1/users/{sales_a.pk}", {"team_id": None, "is_active": False}
    )
    assert (out.json()["team_id"], out.json()["is_active"]) == (None, False)
    body = assert_problem(
        send(client, "PATCH", f"/api/v1/users/{admin.pk}", {"role": "viewer"}), 409
    )
    assert body["code"] == "role_change_self"
    assert_problem(send(client, "PATCH", "/api/v1/users/999999", {"role": "viewer"}), 404)
    assert_problem(send(client, "PATCH", f"/api/v1/users/{sales_a.pk}", {"password": "x"}), 422)


def test_teams_through_the_api(admin: User, sales_a: User, api_client: ApiClient) -> None:
    client = api_client(admin)
    created = send(client, "POST", "/api/v1/teams", {"name": "South"})
    assert created.status_code == 201
    team_id = created.json()["id"]
    renamed = send(client, "PATCH", f"/api/v1/teams/{team_id}", {"name": "Deep South"})
    assert renamed.json()["name"] == "Deep South"
    listed = {t["name"]: t for t in client.get("/api/v1/teams").json()}
    assert listed["Team A"]["members"] == ["sales.a@example.com"]
    assert sales_a.team is not None
    in_use = assert_problem(client.delete(f"/api/v1/teams/{sales_a.team.pk}"), 409)
    assert in_use["code"] == "team_in_use"
    assert client.delete(f"/api/v1/teams/{team_id}").status_code == 204


def test_each_user_manages_their_own_tokens_and_admins_all(
    admin: User, sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    own = api_client(sales_a)
    created = send(own, "POST", "/api/v1/tokens", {"name": "script"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("cl_")
    listed = own.get("/api/v1/tokens").json()
    assert {t["email"] for t in listed} == {"sales.a@example.com"}
    assert all("token" not in t for t in listed)
    theirs = ApiToken.objects.filter(user=sales_b).first() or ApiToken.objects.create(
        user=sales_b, prefix="cl_b", digest="b" * 64
    )
    assert_problem(own.delete(f"/api/v1/tokens/{theirs.pk}"), 404)
    everyone = {t["email"] for t in api_client(admin).get("/api/v1/tokens").json()}
    assert {"sales.a@example.com", "sales.b@example.com"} <= everyone
    assert api_client(admin).delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    revoked = Client(headers={"authorization": f"Bearer {raw}"}).get("/api/v1/tokens")
    assert revoked.status_code == 401


def test_the_audit_log_through_the_api_with_filters_and_pages(
    admin: User, manager: User, viewer: User, api_client: ApiClient
) -> None:
    for n in range(3):
        record_audit(
            admin, "team.created", target_kind="team", target_id=n, details={"name": f"T{n}"}
        )
    record_audit(manager, "parties.bulk_assigned", target_kind="parties", details={"count": 20})
    client = api_client(manager)
    first = client.get("/api/v1/audit", {"limit": "2", "action": "team."}).json()
    assert [e["text"] for e in first["items"]] == ["created team “T2”", "created team “T1”"]
    second = client.get(
        "/api/v1/audit", {"limit": "2", "action": "team.", "cursor": first["next_cursor"]}
    ).json()
    assert [e["target_id"] for e in second["items"]] == ["0"]
    assert second["next_cursor"] is None
    by_manager = client.get("/api/v1/audit", {"actor_id": manager.pk}).json()["items"]
    assert [e["action"] for e in by_manager if e["action"] != "token.created"] == [
        "parties.bulk_assigned"
    ]
    assert_problem(api_client(viewer).get("/api/v1/audit"), 403)
    assert_problem(client.get("/api/v1/audit", {"actor": "1"}), 422)  # not a parameter


def test_custom_fields_through_the_api(admin: User, api_client: ApiClient) -> None:
    client = api_client(admin)
    created = send(
        client,
        "POST",
        "/api/v1/custom-fields",
        {
            "key": "tier",
            "label": "Tier",
            "labels": {"it": "Livello"},
            "type": "choice",
            "choices": ["A", "B"],
        },
    )
    assert created.status_code == 201
    field_id = created.json()["id"]
    italian = client.get("/api/v1/custom-fields", HTTP_ACCEPT_LANGUAGE="it").json()
    assert italian[0]["shown_label"] == "Livello"
    assert italian[0]["labels"] == {"it": "Livello"}
    changed = send(client, "PATCH", f"/api/v1/custom-fields/{field_id}", {"required": True})
    assert changed.json()["required"] is True
    bad = send(client, "POST", "/api/v1/custom-fields", {"key": "tier", "label": "Again"})
    assert assert_problem(bad, 422)["errors"][0]["code"] == "custom_field_key_taken"
    assert client.delete(f"/api/v1/custom-fields/{field_id}").status_code == 204
    assert not CustomField.objects.exists()
    assert list(
        AuditEntry.objects.exclude(action="token.created")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "custom_field.created",
        "custom_field.changed",
        "custom_field.deleted",
    ]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/users", "/api/v1/teams", "/api/v1/tokens", "/api/v1/audit", "/api/v1/custom-fields"],
)
def test_the_lists_take_a_few_queries_whatever_their_length(
    url: str,
    admin: User,
    api_client: ApiClient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = api_client(admin)
    for n in range(12):
        user = make_user(role=Role.SALES, email=f"u{n}@example.com", team=f"Team {n % 4}")
        ApiToken.objects.create(user=user, prefix=f"cl_{n}", digest=f"{n:064d}")
        record_audit(user, "team.created", target_kind="team", target_id=n, details={"name": "x"})
        CustomField.objects.create(key=f"f{n}", label=f"F{n}", type="text")
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_admins_read_the_teams_members_e_mails(
    admin: User, sales_a: User, api_client: ApiClient
) -> None:
    listed = {t["name"]: t for t in api_client(admin).get("/api/v1/teams").json()}
    assert listed["Team A"]["members"] == ["sales.a@example.com"]
    assert listed["Team A"]["member_count"] == 1


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.MARKETING, Role.SUPPORT, Role.SALES, Role.VIEWER]
)
def test_other_roles_read_the_teams_without_their_members_e_mails(
    role: str, sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    reader = make_user(role=role, team="Team A")
    response = api_client(reader).get("/api/v1/teams")
    assert response.status_code == 200
    listed = {t["name"]: t for t in response.json()}
    assert listed["Team A"] == {
        "id": sales_a.team_id, "name": "Team A", "member_count": 2, "members": None,
    }  # fmt: skip
    assert listed["Team B"]["member_count"] == 1
    assert "@" not in response.content.decode()
