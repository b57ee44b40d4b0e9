"""The audit log: one entry per change, written with the change, read by admins and managers."""

from __future__ import annotations

import pytest

from clientela.accounts.models import AuditEntry, Role, User
from clientela.accounts.services import audit_entries, record_audit, update_company
from clientela.core.errors import Forbidden
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_an_entry_keeps_who_did_what_to_which_target(admin: User) -> None:
    entry = record_audit(
        admin, "user.role_changed", target_kind="user", target_id=7, details={"role": ["a", "b"]}
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.actor_email, stored.action) == (
        admin,
        admin.email,
        "user.role_changed",
    )
    assert (stored.target_kind, stored.target_id, stored.details) == (
        "user",
        "7",
        {"role": ["a", "b"]},
    )


def test_the_actors_email_stays_when_the_user_is_gone() -> None:
    leaver = make_user(role=Role.ADMIN, email="leaver@example.com")
    record_audit(leaver, "team.created", target_kind="team", target_id=1)
    leaver.delete()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_email) == (None, "leaver@example.com")


@pytest.mark.parametrize("code", ["", "User.Changed", " user.x", "x" * 61])
def test_an_action_code_must_be_a_lower_case_code(admin: User, code: str) -> None:
    with pytest.raises(ValueError, match="audit action"):
        record_audit(admin, code)


def test_a_company_change_is_audited_with_before_and_after_and_no_change_is_not(
    admin: User,
) -> None:
    update_company(by=admin, name="Cafés Estrela")
    update_company(by=admin, name="Cafés Estrela")  # the same: nothing changed
    entries = list(AuditEntry.objects.filter(action="company.updated"))
    assert len(entries) == 1
    assert entries[0].details == {"changed": {"name": ["", "Cafés Estrela"]}}


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        (Role.ADMIN, True),
        (Role.MANAGER, True),
        (Role.MARKETING, False),
        (Role.SALES, False),
        (Role.SUPPORT, False),
        (Role.VIEWER, False),
    ],
)
def test_admins_and_managers_read_the_log_the_others_are_refused(role: str, reads: bool) -> None:
    user = make_user(role=role, email=f"{role}@example.com")
    record_audit(user, "parties.bulk_tagged", target_kind="parties", details={"count": 3})
    if reads:
        assert [e.action for e in audit_entries(user)] == ["parties.bulk_tagged"]
    else:
        with pytest.raises(Forbidden) as refused:
            list(audit_entries(user))
        assert refused.value.code == "audit_forbidden"


def test_the_log_is_narrowed_by_action_prefix_actor_and_target(admin: User) -> None:
    other = make_user(role=Role.MANAGER, email="manager@example.com")
    record_audit(admin, "user.invited", target_kind="user", target_id=5)
    record_audit(admin, "user.role_changed", target_kind="user", target_id=6)
    record_audit(other, "team.created", target_kind="team", target_id=5)
    assert {e.action for e in audit_entries(admin, action="user.")} == {
        "user.invited",
        "user.role_changed",
    }
    assert [e.action for e in audit_entries(admin, action="user.invited")] == ["user.invited"]
    assert [e.action for e in audit_entries(admin, actor=other.pk)] == ["team.created"]
    assert [e.action for e in audit_entries(admin, target_kind="user", target_id=5)] == [
        "user.invited"
    ]
    newest_first = [e.action for e in audit_entries(admin)]
    assert newest_first == ["team.created", "user.role_changed", "user.invited"]
