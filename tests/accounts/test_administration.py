"""The administration's services: invitations, roles, teams, status, tokens and custom-field
definitions, each audited in its transaction, and the guards that keep an admin."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import AuditEntry, Invitation, Role, Team, User
from clientela.accounts.presenters import describe
from clientela.accounts.services import (
    accept_invitation,
    change_role,
    change_team,
    create_team,
    create_token,
    delete_team,
    invite_user,
    open_invitation,
    record_audit,
    rename_team,
    revoke_token,
    set_user_active,
    visible_tokens,
)
from clientela.core.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from clientela.core.registries import AUDIT_ACTIONS
from clientela.parties.models import CustomField
from clientela.parties.services import (
    change_custom_field,
    define_custom_field,
    delete_custom_field,
)
from tests.consent.conftest import Inbox
from tests.factories import make_party, make_user

from .mail import body, link_in

pytestmark = pytest.mark.django_db
STRONG = "correct horse battery staple 42"


def links() -> tuple[list[str], Callable[[str], str]]:
    made: list[str] = []

    def link_for(raw: str) -> str:
        made.append(raw)
        return f"http://testserver/invitation/{raw}/"

    return made, link_for


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# Invitations


def test_an_invitation_is_mailed_with_a_link_that_lets_the_invitee_join_once(
    admin: User, smtp_inbox: Inbox
) -> None:
    team = Team.objects.create(name="North")
    made, link_for = links()
    invitation = invite_user(
        " Rita@Example.com ", role=Role.SALES, team=team, by=admin, link_for=link_for
    )
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "rita@example.com"
    assert link_in(mail, "/invitation/") == f"http://testserver/invitation/{made[0]}/"
    # Only the digest is stored: the table holds nothing that opens an account.
    assert invitation.digest == hashlib.sha256(made[0].encode()).hexdigest()
    assert made[0] not in str(list(Invitation.objects.values()))

    user = accept_invitation(made[0], full_name="  Rita   Reis ", password=STRONG)

    assert (user.email, user.role, user.team, user.full_name) == (
        "rita@example.com",
        Role.SALES,
        team,
        "Rita Reis",
    )
    assert user.check_password(STRONG)
    with pytest.raises(NotFound) as used:
        accept_invitation(made[0], full_name="Again", password=STRONG)
    assert used.value.code == "invitation_invalid"
    assert actions() == ["user.invited", "user.joined"]


def test_an_expired_invitation_opens_nothing(
    admin: User, smtp_inbox: Inbox, settings: Settings
) -> None:
    made, link_for = links()
    invite_user("late@example.com", role=Role.VIEWER, team=None, by=admin, link_for=link_for)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotFound):
        open_invitation(made[0])
    assert not User.objects.filter(email="late@example.com").exists()


def test_an_invitation_lasts_the_configured_days(
    admin: User, smtp_inbox: Inbox, settings: Settings
) -> None:
    settings.CLIENTELA_INVITE_DAYS = 2
    _made, link_for = links()
    invitation = invite_user(
        "a@example.com", role=Role.VIEWER, team=None, by=admin, link_for=link_for
    )
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)
    assert "UTC" in body(smtp_inbox.messages[0])


def test_a_newer_invitation_withdraws_the_older_link(admin: User, smtp_inbox: Inbox) -> None:
    made, link_for = links()
    invite_user("b@example.com", role=Role.VIEWER, team=None, by=admin, link_for=link_for)
    invite_user("b@example.com", role=Role.SALES, team=None, by=admin, link_for=link_for)
    with pytest.raises(NotFound):
        open_invitation(made[0])
    assert open_invitation(made[1]).role == Role.SALES


def test_the_invitees_password_meets_the_same_rules_as_user_create(
    admin: User, smtp_inbox: Inbox
) -> None:
    made, link_for = links()
    invite_user("c@example.com", role=Role.VIEWER, team=None, by=admin, link_for=link_for)
    with pytest.raises(Invalid) as weak:
        accept_invitation(made[0], full_name="Carla", password="123")
    assert weak.value.errors[0].code == "password_rejected"
    with pytest.raises(Invalid) as nameless:
        accept_invitation(made[0], full_name="  ", password=STRONG)
    assert nameless.value.errors[0].code == "full_name_required"
    assert open_invitation(made[0]).accepted_at is None  # still usable


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.VIEWER])
def test_only_admins_invite(role: str, smtp_inbox: Inbox) -> None:
    user = make_user(role=role)
    _made, link_for = links()
    with pytest.raises(Forbidden) as refused:
        invite_user("d@example.com", role=Role.SALES, team=None, by=user, link_for=link_for)
    assert refused.value.code == "administer_forbidden"
    assert not Invitation.objects.exists()
    assert smtp_inbox.messages == []


def test_an_existing_user_is_not_invited(admin: User, smtp_inbox: Inbox, sales_a: User) -> None:
    _made, link_for = links()
    with pytest.raises(Conflict) as exists:
        invite_user(sales_a.email, role=Role.SALES, team=None, by=admin, link_for=link_for)
    assert exists.value.code == "user_exists"


def test_a_mail_that_cannot_be_sent_says_so(admin: User, settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    _made, link_for = links()
    with pytest.raises(Unavailable) as down:
        invite_user("e@example.com", role=Role.SALES, team=None, by=admin, link_for=link_for)
    assert down.value.code == "mail_unavailable"


# Roles, teams, status


def test_an_admin_changes_a_role_and_a_team_and_both_are_audited(
    admin: User, sales_a: User
) -> None:
    north = Team.objects.create(name="North")
    change_role(sales_a, Role.MANAGER, by=admin)
    change_team(sales_a, north, by=admin)
    change_team(sales_a, None, by=admin)
    sales_a.refresh_from_db()
    assert (sales_a.role, sales_a.team) == (Role.MANAGER, None)
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == [
        "user.role_changed",
        "user.team_changed",
        "user.team_changed",
    ]
    assert entries[0].details == {
        "email": sales_a.email,
        "role_before": "sales",
        "role_after": "manager",
    }
    assert describe(entries[0]).text == (
        "changed the role of sales.a@example.com from Sales to Manager"
    )


def test_the_last_admin_is_neither_demoted_nor_disabled(admin: User) -> None:
    with pytest.raises(Conflict) as demoted:
        change_role(admin, Role.MANAGER, by=None)
    assert demoted.value.code == "last_admin"
    with pytest.raises(Conflict) as disabled:
        set_user_active(admin, active=False, by=None)
    assert disabled.value.code == "last_admin"
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == (Role.ADMIN, True)
    assert actions() == []


def test_an_admin_neither_demotes_nor_disables_themself(admin: User) -> None:
    make_user(role=Role.ADMIN, email="other.admin@example.com")
    with pytest.raises(Conflict) as demoted:
        change_role(admin, Role.VIEWER, by=admin)
    assert demoted.value.code == "role_change_self"
    with pytest.raises(Conflict) as disabled:
        set_user_active(admin, active=False, by=admin)
    assert disabled.value.code == "user_disable_self"


def test_with_another_admin_one_admin_may_be_demoted(admin: User) -> None:
    other = make_user(role=Role.ADMIN, email="other.admin@example.com")
    change_role(other, Role.SALES, by=admin)
    set_user_active(other, active=False, by=admin)
    set_user_active(other, active=True, by=admin)
    assert actions() == ["user.role_changed", "user.disabled", "user.enabled"]


def test_a_manager_changes_nobodys_role(manager: User, sales_a: User) -> None:
    with pytest.raises(Forbidden):
        change_role(sales_a, Role.ADMIN, by=manager)
    with pytest.raises(Forbidden):
        set_user_active(sales_a, active=False, by=manager)
    sales_a.refresh_from_db()
    assert (sales_a.role, sales_a.is_active) == (Role.SALES, True)


def test_an_unknown_role_names_the_field(admin: User, sales_a: User) -> None:
    with pytest.raises(Invalid) as wrong:
        change_role(sales_a, "boss", by=admin)
    assert (wrong.value.errors[0].field, wrong.value.errors[0].code) == ("role", "role_invalid")


def test_teams_are_created_renamed_and_deleted_when_unused(admin: User) -> None:
    team = create_team("  South  ", by=admin)
    rename_team(team, "South West", by=admin)
    with pytest.raises(Invalid) as taken:
        create_team("south west", by=admin)
    assert taken.value.errors[0].code == "team_name_taken"
    delete_team(team, by=admin)
    assert not Team.objects.exists()
    assert actions() == ["team.created", "team.renamed", "team.deleted"]
    texts = [describe(e).text for e in AuditEntry.objects.order_by("pk")]
    assert texts[1] == "renamed team “South” to “South West”"


def test_a_team_in_use_is_not_deleted_and_the_error_says_by_what(admin: User) -> None:
    team = create_team("East", by=admin)
    make_user(role=Role.SALES, team="East")
    make_party(team=team)
    with pytest.raises(Conflict) as in_use:
        delete_team(team, by=admin)
    assert in_use.value.code == "team_in_use"
    assert "1 users" in in_use.value.detail
    assert "1 parties" in in_use.value.detail
    assert Team.objects.filter(pk=team.pk).exists()


# API tokens


def test_each_user_sees_their_own_tokens_and_admins_see_all(
    admin: User, sales_a: User, sales_b: User
) -> None:
    mine, _raw = create_token(sales_a, name="laptop", by=sales_a)
    theirs, _raw = create_token(sales_b, by=sales_b)
    assert list(visible_tokens(sales_a)) == [mine]
    assert set(visible_tokens(admin)) == {mine, theirs}
    with pytest.raises(NotFound):
        revoke_token(sales_a, theirs.pk, by=sales_a)
    revoke_token(admin, theirs.pk, by=admin)
    revoke_token(admin, theirs.pk, by=admin)  # once revoked, nothing more happens
    assert actions() == ["token.created", "token.created", "token.revoked"]
    revoked = AuditEntry.objects.get(action="token.revoked")
    assert describe(revoked).text == f"revoked API token {theirs.prefix}… of sales.b@example.com"


# Custom-field definitions


def test_a_custom_field_is_defined_with_labels_per_language_and_audited(admin: User) -> None:
    field = define_custom_field(
        {"key": "loyalty_card", "label": "Loyalty card", "labels": {"pt": "Cartão de cliente"}},
        by=admin,
    )
    assert field.label_in("pt") == "Cartão de cliente"
    assert field.label_in("pt-br") == "Cartão de cliente"
    assert field.label_in("es") == "Loyalty card"  # no Spanish label: the default
    change_custom_field(field, {"labels": {"es": "Tarjeta de cliente"}}, by=admin)
    assert CustomField.objects.get().label_in("es") == "Tarjeta de cliente"
    delete_custom_field(field, by=admin)
    assert actions() == ["custom_field.created", "custom_field.changed", "custom_field.deleted"]
    first = AuditEntry.objects.order_by("pk")[0]
    assert describe(first).text == "created custom field “Loyalty card”"


def test_a_bad_definition_names_every_wrong_field(admin: User) -> None:
    with pytest.raises(Invalid) as wrong:
        define_custom_field({"key": "9 lives", "label": "", "type": "choice"}, by=admin)
    assert {e.code for e in wrong.value.errors} == {
        "custom_field_key_invalid",
        "custom_field_label_required",
        "custom_field_choices_required",
    }
    assert not CustomField.objects.exists()


def test_only_admins_define_custom_fields(manager: User) -> None:
    with pytest.raises(Forbidden):
        define_custom_field({"key": "x", "label": "X"}, by=manager)


# The audit log in words


def test_an_unknown_action_shows_its_code_and_a_registered_one_its_words(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = record_audit(admin, "later.feature_did", details={"count": 3})
    assert (describe(unknown).text, describe(unknown).known) == ("later.feature_did", False)
    monkeypatch.setitem(AUDIT_ACTIONS, "tests.counted", "counted %(count)s parties")
    counted = record_audit(admin, "tests.counted", details={"count": 3})
    assert describe(counted).text == "counted 3 parties"
    lacking = record_audit(admin, "tests.counted", details={})
    assert describe(lacking).text == "tests.counted"
