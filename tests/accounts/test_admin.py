"""The admin's account pages: only active admins reach them; no password or token is shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import ApiToken, Role, ThrottleHit, User
from clientela.accounts.services import create_token, set_user_active
from tests.factories import make_user

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
CHANGELISTS = ("user", "team", "apitoken", "throttlehit")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_an_admin_sees_each_changelist(model: str, admin: User, web_client: WebClient) -> None:
    make_user(team="North")
    create_token(admin, name="reports")
    ThrottleHit.objects.create(door="sign_in", key="f" * 64)

    response = web_client(admin).get(f"/admin/accounts/{model}/")

    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_only_admins_reach_the_admin(role: str, web_client: WebClient) -> None:
    response = web_client(make_user(role=role)).get("/admin/accounts/user/")

    assert response.status_code == 403


def test_a_disabled_admin_is_shut_out_at_once(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)
    assert client.get("/admin/").status_code == 200
    make_user(role=Role.ADMIN, email="second.admin@example.com")  # the last admin stays

    set_user_active(admin, active=False)

    assert client.get("/admin/").status_code == 302


def test_a_users_page_shows_a_summary_of_the_password_never_its_hash(
    admin: User, web_client: WebClient
) -> None:
    user = make_user(email="ana@example.com", team="North")

    page = web_client(admin).get(f"/admin/accounts/user/{user.pk}/change/").content.decode()

    assert "ana@example.com" in page
    assert user.password not in page
    assert user.password.split("$")[-1] not in page


def test_an_admin_changes_a_users_role_team_and_status(admin: User, web_client: WebClient) -> None:
    user = make_user(email="ana@example.com", role=Role.SALES, team="North")
    south = make_user(team="South").team
    assert south is not None

    response = web_client(admin).post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": "ana@example.com",
            "full_name": "Ana",
            "language": "",
            "role": Role.MANAGER,
            "team": south.pk,
            "date_joined_0": "2024-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.team, user.is_active) == (Role.MANAGER, south, False)


def test_an_admin_adds_a_user_with_a_checked_password(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)
    fields = {"email": "Rui@Example.com", "full_name": "Rui", "role": Role.SALES, "team": ""}

    weak = client.post(
        "/admin/accounts/user/add/", {**fields, "password1": "abc", "password2": "abc"}
    )
    strong = client.post(
        "/admin/accounts/user/add/",
        {
            **fields,
            "password1": "a long enough password 7",
            "password2": "a long enough password 7",
        },
    )

    assert weak.status_code == 200  # the form again, with the validators' reasons
    assert strong.status_code == 302
    user = User.objects.get(email="rui@example.com")
    assert user.role == Role.SALES
    assert user.check_password("a long enough password 7")


def test_tokens_are_listed_without_their_digest_and_revoked_through_the_service(
    admin: User, web_client: WebClient
) -> None:
    token, raw = create_token(make_user(), name="reports")
    client = web_client(admin)

    listing = client.get("/admin/accounts/apitoken/").content.decode()
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    for shown in (listing, page):
        assert token.prefix in shown
        assert token.digest not in shown
        assert raw not in shown
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert ApiToken.objects.count() == 1
