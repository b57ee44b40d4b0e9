"""The settings area's pages: admins only (the audit log: admins and managers; API tokens:
everyone), each change through the same services, errors beside the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from clientela.accounts.models import ApiToken, AuditEntry, Invitation, Role, Team, User
from clientela.accounts.services import record_audit
from clientela.parties.models import CustomField
from tests.consent.conftest import Inbox
from tests.factories import make_party, make_user

from .mail import link_in

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
ADMIN_PAGES = ["/settings/users/", "/settings/teams/", "/settings/custom-fields/"]


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.MARKETING, Role.SALES, Role.SUPPORT, Role.VIEWER]
)
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_the_administration_pages_refuse_other_roles(
    role: str, url: str, web_client: WebClient
) -> None:
    client = web_client(make_user(role=role))
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": "x@example.com", "name": "X", "key": "x"}).status_code == 403
    assert not Invitation.objects.exists()
    assert not Team.objects.filter(name="X").exists()
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.MANAGER, 200), (Role.SALES, 403), (Role.VIEWER, 403)],
)
def test_the_audit_log_page_is_for_admins_and_managers(
    role: str, status: int, web_client: WebClient
) -> None:
    assert web_client(make_user(role=role)).get("/settings/audit/").status_code == status


def test_a_signed_out_visitor_is_sent_to_sign_in() -> None:
    for url in [*ADMIN_PAGES, "/settings/audit/", "/settings/tokens/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_the_users_page_lists_role_team_status_and_last_sign_in(
    admin: User, sales_a: User, web_client: WebClient
) -> None:
    set_off = make_user(role=Role.VIEWER, email="off@example.com", is_active=False)
    page = web_client(admin).get("/settings/users/").content.decode()
    assert "sales.a@example.com" in page
    assert "Team A" in page
    assert set_off.email in page
    assert "disabled" in page
    assert "never" in page  # sales_a has not signed in


def test_an_admin_invites_from_the_page_and_the_mail_leads_to_joining(
    admin: User, web_client: WebClient, smtp_inbox: Inbox
) -> None:
    team = Team.objects.create(name="North")
    response = web_client(admin).post(
        "/settings/users/", {"email": "nova@example.com", "role": "sales", "team": str(team.pk)}
    )
    assert response.status_code == 302
    path = link_in(smtp_inbox.messages[0], "/invitation/").removeprefix("http://testserver")
    visitor = Client()
    assert "nova@example.com" in visitor.get(path).content.decode()
    joined = visitor.post(
        path,
        {
            "full_name": "Nova Lima",
            "password": "a long enough passphrase",
            "password_again": "a long enough passphrase",
        },
    )
    assert joined.status_code == 302
    user = User.objects.get(email="nova@example.com")
    assert (user.role, user.team, user.full_name) == (Role.SALES, team, "Nova Lima")
    assert "Nova Lima" in visitor.get("/").content.decode()  # signed in
    assert visitor.get(path).status_code == 404  # used


def test_an_invitation_to_a_bad_address_is_refused_beside_the_field(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post("/settings/users/", {"email": "not-mail", "role": "sales"})
    assert response.status_code == 422
    assert 'id="email-error"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_admin_changes_a_users_role_team_and_status_on_the_page(
    admin: User, sales_a: User, web_client: WebClient
) -> None:
    north = Team.objects.create(name="North")
    client = web_client(admin)
    response = client.post(
        f"/settings/users/{sales_a.pk}/", {"role": "support", "team": str(north.pk)}
    )
    assert response.status_code == 302
    sales_a.refresh_from_db()
    assert (sales_a.role, sales_a.team, sales_a.is_active) == (Role.SUPPORT, north, False)
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "user.disabled",
        "user.role_changed",
        "user.team_changed",
    ]


def test_the_last_admin_cannot_demote_themself_on_the_page(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post(
        f"/settings/users/{admin.pk}/", {"role": "viewer", "is_active": "on"}
    )
    assert response.status_code == 409
    assert "you may not change your own role" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert not AuditEntry.objects.exists()


def test_a_team_in_use_is_not_deleted_and_the_page_says_why(
    admin: User, sales_a: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    team = sales_a.team
    assert team is not None
    response = client.post(f"/settings/teams/{team.pk}/", {"action": "delete"})
    assert response.status_code == 409
    assert "still used" in response.content.decode()
    client.post(f"/settings/teams/{team.pk}/", {"action": "rename", "name": "Team Alpha"})
    created = client.post("/settings/teams/", {"name": "Empty"})
    assert created.status_code == 302
    empty = Team.objects.get(name="Empty")
    client.post(f"/settings/teams/{empty.pk}/", {"action": "delete"})
    assert list(Team.objects.values_list("name", flat=True)) == ["Team Alpha"]
    page = client.get("/settings/teams/").content.decode()
    assert "sales.a@example.com" in page  # members shown


def test_a_user_creates_a_token_seen_once_and_revokes_it(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    client = web_client(sales_a)
    created = client.post("/settings/tokens/", {"name": "laptop"})
    assert created.status_code == 201
    token = ApiToken.objects.get(user=sales_a)
    page = created.content.decode()
    assert 'class="token-value">cl_' in page
    assert created["Cache-Control"] == "no-store"
    assert 'class="token-value"' not in client.get("/settings/tokens/").content.decode()
    others = ApiToken.objects.create(user=sales_b, prefix="cl_other", digest="0" * 64)
    assert client.post(f"/settings/tokens/{others.pk}/revoke/").status_code == 404
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_custom_fields_are_defined_on_the_page_and_the_party_form_speaks_the_readers_language(
    admin: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    response = client.post(
        "/settings/custom-fields/",
        {
            "key": "loyalty_card",
            "label": "Loyalty card",
            "label_pt": "Cartão de cliente",
            "type": "text",
            "position": "1",
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get()
    assert field.labels == {"pt": "Cartão de cliente"}
    party = make_party(custom={"loyalty_card": "A-17"})
    admin.language = "pt"
    admin.save(update_fields=["language"])
    form = client.get(f"/parties/{party.pk}/edit/").content.decode()
    assert "Cartão de cliente" in form
    admin.language = "it"  # no Italian label: the default
    admin.save(update_fields=["language"])
    detail = client.get(f"/parties/{party.pk}/", {"tab": "details"}).content.decode()
    assert "Loyalty card" in detail
    with translation.override("pt"):
        assert str(field) == "Cartão de cliente"


def test_a_bad_custom_field_is_refused_beside_each_field(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post(
        "/settings/custom-fields/", {"key": "Bad Key", "label": "", "type": "choice"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="key-error"' in page
    assert 'id="label-error"' in page
    assert 'id="choices-error"' in page


def test_the_audit_log_page_filters_and_says_each_entry_in_words(
    admin: User, manager: User, web_client: WebClient
) -> None:
    record_audit(admin, "team.created", target_kind="team", target_id=3, details={"name": "North"})
    record_audit(manager, "parties.bulk_assigned", target_kind="parties", details={"count": 20})
    client = web_client(manager)
    page = client.get("/settings/audit/").content.decode()
    assert "created team “North”" in page
    assert page.index("parties.bulk_assigned") < page.index("created team")  # newest first
    narrowed = client.get("/settings/audit/", {"action": "team."}).content.decode()
    assert 'data-action="team.created"' in narrowed
    assert 'data-action="parties.bulk_assigned"' not in narrowed
    by_actor = client.get("/settings/audit/", {"actor": str(manager.pk)}).content.decode()
    assert 'data-action="team.created"' not in by_actor
    by_target = client.get("/settings/audit/", {"target_kind": "team", "target_id": "3"})
    assert 'data-action="team.created"' in by_target.content.decode()
    assert client.get("/settings/audit/", {"actor": "99999999999999999999"}).status_code == 200


def test_the_audit_log_pages_through_many_entries(admin: User, web_client: WebClient) -> None:
    for n in range(55):
        record_audit(
            admin, "team.created", target_kind="team", target_id=n, details={"name": f"T{n}"}
        )
    client = web_client(admin)
    first = client.get("/settings/audit/").content.decode()
    second = client.get("/settings/audit/", {"page": "2"}).content.decode()
    assert first.count('data-action="team.created"') == 50
    assert second.count('data-action="team.created"') == 5
    assert "T54" in first
    assert "T0”" in second


def test_an_invitation_whose_address_got_a_user_meanwhile_says_so_on_the_page(
    admin: User, web_client: WebClient, smtp_inbox: Inbox
) -> None:
    web_client(admin).post("/settings/users/", {"email": "late@example.com", "role": "sales"})
    path = link_in(smtp_inbox.messages[0], "/invitation/").removeprefix("http://testserver")
    make_user(email="late@example.com")  # created from the command line in the meantime
    response = Client().post(
        path,
        {
            "full_name": "Late",
            "password": "a long passphrase",
            "password_again": "a long passphrase",
        },
    )
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
