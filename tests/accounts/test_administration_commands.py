"""`clientela user set-role|set-team` and `clientela audit`: the same services as the pages."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clientela.accounts.models import AuditEntry, Role, Team, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_set_role_changes_the_role_and_is_audited_as_the_system(admin: User, sales_a: User) -> None:
    assert "sales.a@example.com is now manager." in run(
        "user", "set-role", "Sales.A@example.com", "manager"
    )
    sales_a.refresh_from_db()
    assert sales_a.role == Role.MANAGER
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.details["role_after"]) == (
        "user.role_changed",
        None,
        "manager",
    )


def test_set_role_refuses_an_unknown_role_and_the_last_admin(admin: User) -> None:
    with pytest.raises(CommandError, match="must be one of"):
        run("user", "set-role", admin.email, "boss")
    with pytest.raises(CommandError, match="last active admin"):
        run("user", "set-role", admin.email, "viewer")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_set_team_moves_a_user_and_none_takes_them_out(sales_a: User) -> None:
    Team.objects.create(name="North")
    assert "now in team North" in run("user", "set-team", sales_a.email, "north")
    sales_a.refresh_from_db()
    assert sales_a.team is not None
    assert sales_a.team.name == "North"
    assert "now in no team" in run("user", "set-team", sales_a.email, "--none")
    sales_a.refresh_from_db()
    assert sales_a.team is None
    with pytest.raises(CommandError, match="no team Nowhere"):
        run("user", "set-team", sales_a.email, "Nowhere")
    assert AuditEntry.objects.filter(action="user.team_changed").count() == 2


def test_disable_from_the_command_line_is_audited(admin: User, sales_a: User) -> None:
    run("user", "disable", sales_a.email)
    assert AuditEntry.objects.get().action == "user.disabled"


def test_audit_prints_the_log_in_words_and_as_json(admin: User, sales_a: User) -> None:
    run("user", "set-role", sales_a.email, "support")
    make_user(role=Role.VIEWER, email="v@example.com")
    run("user", "disable", "v@example.com")
    words = run("audit")
    lines = words.splitlines()
    assert "disabled v@example.com" in lines[0]  # newest first
    assert "changed the role of sales.a@example.com from Sales to Support" in lines[1]
    records = [
        json.loads(line)
        for line in run("audit", "--action", "user.role_changed", "--json").splitlines()
    ]
    assert [r["action"] for r in records] == ["user.role_changed"]
    assert records[0]["details"]["role_before"] == "sales"
    targeted = run("audit", "--target", f"user:{sales_a.pk}", "--json").splitlines()
    assert len(targeted) == 1


def test_audit_reads_as_a_manager_but_not_as_a_viewer(
    admin: User, manager: User, viewer: User
) -> None:
    assert run("audit", "--as", manager.email) == ""
    with pytest.raises(CommandError, match="audit log"):
        run("audit", "--as", viewer.email)
