"""The admin's account pages: only active admins reach them; no password or token is shown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import ApiToken, AuditEntry, Role, ThrottleHit, User
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


def test_the_admin_shows_users_and_teams_read_only_with_a_link_to_their_settings_page(
    admin: User, web_client: WebClient
) -> None:
    user = make_user(email="ana@example.com", role=Role.SALES, team="North")
    assert user.team is not None
    client = web_client(admin)

    user_page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    team_page = client.get(f"/admin/accounts/team/{user.team.pk}/change/").content.decode()
    users = client.get("/admin/accounts/user/").content.decode()

    assert f'href="/settings/users/{user.pk}/"' in user_page
    assert 'href="/settings/teams/"' in team_page
    assert f'href="/settings/users/{user.pk}/"' in users
    for page in (user_page, team_page):
        assert 'name="_save"' not in page
        assert "<select" not in page
    assert client.get("/admin/accounts/user/add/").status_code == 403
    assert client.get("/admin/accounts/team/add/").status_code == 403
    assert client.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403


def test_the_admin_cannot_demote_the_last_admin_or_change_a_role_unaudited(
    admin: User, web_client: WebClient
) -> None:
    """The old admin form wrote role and status past the services' guards and the audit."""
    user = make_user(email="ana@example.com", role=Role.SALES, team="North")
    client = web_client(admin)
    edit = {"email": "x@example.com", "full_name": "X", "role": Role.ADMIN, "is_active": ""}

    promoted = client.post(f"/admin/accounts/user/{user.pk}/change/", edit)
    demoted = client.post(f"/admin/accounts/user/{admin.pk}/change/", {**edit, "role": "viewer"})
    added = client.post(
        "/admin/accounts/user/add/",
        {"email": "rui@example.com", "role": Role.ADMIN, "password1": "a long password 7",
         "password2": "a long password 7"},
    )  # fmt: skip
    renamed = client.post(f"/admin/accounts/team/{user.team_id}/change/", {"name": "South"})
    deleted = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [user.pk, admin.pk], "post": "yes"},
    )

    assert [promoted.status_code, demoted.status_code, added.status_code] == [403] * 3
    assert renamed.status_code == 403
    assert deleted.status_code in {200, 302}  # no such action: the list again, nothing gone
    user.refresh_from_db()
    admin.refresh_from_db()
    assert (user.email, user.role, user.is_active) == ("ana@example.com", Role.SALES, True)
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)
    assert User.objects.count() == 2
    assert user.team is not None
    assert user.team.name == "North"
    assert not AuditEntry.objects.exists()


def test_the_admin_s_user_list_works_on_the_settings_page_through_the_services(
    admin: User, web_client: WebClient
) -> None:
    """Where the admin's link leads, a role change keeps its guard and is audited."""
    user = make_user(email="ana@example.com", role=Role.SALES, team="North")
    client = web_client(admin)
    link = f"/settings/users/{user.pk}/"
    assert link in client.get("/admin/accounts/user/").content.decode()

    assert client.get(link).status_code == 200
    changed = client.post(link, {"role": Role.MANAGER, "team": user.team_id, "is_active": "on"})
    refused = client.post(f"/settings/users/{admin.pk}/", {"role": "viewer", "is_active": "on"})

    assert changed.status_code == 302
    user.refresh_from_db()
    assert user.role == Role.MANAGER
    assert AuditEntry.objects.filter(action="user.role_changed", target_id=str(user.pk)).exists()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert refused.status_code in {403, 409, 422}  # nobody changes their own role


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
