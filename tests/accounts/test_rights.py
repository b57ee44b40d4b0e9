"""The matrix of rights per role (accounts.models.RIGHTS), the same through every door.

Each role is tried on each right through the web, the API and the command line, wherever that
door exists, on parties the user may see: a role with the right gets through, the others get
403 (a page, a problem document, a CommandError) and nothing changes. The defaults answer the
audit of issue 12: viewers and sales could download every customer's e-mail and phone, support
could archive customers, sales could merge.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clientela.accounts.models import RIGHTS, Right, Role, Team, User
from clientela.accounts.services import company_settings, record_audit
from clientela.dedupe.models import DuplicateCandidate
from clientela.dedupe.services import scan_duplicates
from clientela.parties.models import Party
from clientela.segments.models import Segment
from tests.consent.conftest import streamed
from tests.factories import api_client, make_party, make_user

ROLES = list(Role)
RIGHTS_TRIED = (
    Right.EXPORT, Right.IMPORT, Right.MERGE, Right.ARCHIVE,
    Right.WRITE, Right.ASSIGN, Right.ADMINISTER, Right.AUDIT,
)  # fmt: skip
Web = Callable[[User], Client]


def _user(role: str) -> User:
    return make_user(role=role, email=f"{role}@example.com", team="Team A")


def _own_party(user: User, **fields: Any) -> Party:
    """A party the user sees whatever the role: owned by them, in their team."""
    return make_party(owner=user, team=user.team, **fields)


def _pair(user: User, phone: str = "+351912345678") -> DuplicateCandidate:
    for _ in range(2):
        _own_party(user, given_name="Maria", family_name="Silva", phone=phone)
    scan_duplicates()
    return DuplicateCandidate.objects.filter(status="open").latest("pk")


def _allowed(role: str, right: Right) -> bool:
    return right in RIGHTS[role]


def test_the_default_matrix_answers_the_audit() -> None:
    exporters = {role for role in Role if _allowed(role, Right.EXPORT)}
    mergers = {role for role in Role if _allowed(role, Right.MERGE)}
    assert exporters == {Role.ADMIN, Role.MANAGER, Role.MARKETING}
    assert mergers == {Role.ADMIN, Role.MANAGER}
    assert not _allowed(Role.SUPPORT, Right.ARCHIVE)
    assert RIGHTS[Role.VIEWER] == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_export_through_the_web_the_api_and_the_command_line(
    role: str, web_client: Web, capsys: pytest.CaptureFixture[str]
) -> None:
    user = _user(role)
    _own_party(user, email="customer@example.org")
    allowed = _allowed(role, Right.EXPORT)
    page = web_client(user).get("/exports/parties.csv")
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        assert b"customer@example.org" in streamed(page)
    segment = Segment.objects.create(name="All", kind="rules", rules={"all": []}, owner=user)
    answer = api_client(user).get(f"/api/v1/segments/{segment.pk}/members.csv")
    assert answer.status_code == (200 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "export_forbidden"
    capsys.readouterr()
    if allowed:
        call_command("export", "parties", "--as", user.email)  # to standard output
        assert "customer@example.org" in capsys.readouterr().out
    else:
        with pytest.raises(CommandError, match="may not export"):
            call_command("export", "parties", "--as", user.email)
        assert capsys.readouterr().out == ""


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_import_through_the_web_and_the_command_line(
    role: str, web_client: Web, tmp_path: Path
) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.IMPORT)
    page = web_client(user).get("/imports/")
    assert page.status_code == (200 if allowed else 403)
    file = tmp_path / "people.csv"
    file.write_text("given_name,family_name,email\nRita,Lobo,rita.lobo@example.org\n")
    if allowed:
        call_command("import", "parties", str(file), "--as", user.email, stdout=io.StringIO())
        assert Party.objects.filter(given_name="Rita").count() == 1
    else:
        with pytest.raises(CommandError, match="may not import"):
            call_command("import", "parties", str(file), "--as", user.email, stdout=io.StringIO())
        assert not Party.objects.filter(given_name="Rita").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_merge_through_the_web_the_api_and_the_command_line(role: str, web_client: Web) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.MERGE)
    pair = _pair(user)
    review = web_client(user).get(f"/duplicates/{pair.pk}/")
    assert (f'action="/duplicates/{pair.pk}/merge/"' in review.content.decode()) == allowed
    page = web_client(user).post(f"/duplicates/{pair.pk}/merge/", {"survivor": "a"})
    assert page.status_code == (302 if allowed else 403)
    assert Party.objects.filter(archived_at__isnull=False).count() == (1 if allowed else 0)

    a, b = (_own_party(user, given_name=name, family_name="Dias") for name in ("Ana", "Rui"))
    answer = api_client(user).post(
        f"/api/v1/parties/{a.pk}/merge", {"other_id": b.pk}, content_type="application/json"
    )
    assert answer.status_code == (200 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "merge_forbidden"

    _pair(user, phone="+351913000000")
    if allowed:
        call_command("dedupe", "--merge-exact", "--as", user.email, stdout=io.StringIO())
    else:
        with pytest.raises(CommandError, match="may not merge"):
            call_command("dedupe", "--merge-exact", "--as", user.email, stdout=io.StringIO())
    merged = Party.objects.filter(archived_at__isnull=False).count()
    assert merged == (3 if allowed else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_archive_through_the_web_and_the_api(role: str, web_client: Web) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.ARCHIVE)
    party = _own_party(user)
    shown = web_client(user).get(f"/parties/{party.pk}/")
    assert (f'action="/parties/{party.pk}/archive/"' in shown.content.decode()) == allowed
    page = web_client(user).post(f"/parties/{party.pk}/archive/")
    assert page.status_code == (302 if allowed else 403)
    other = _own_party(user)
    answer = api_client(user).delete(f"/api/v1/parties/{other.pk}")
    assert answer.status_code == (204 if allowed else 403)
    archived = Party.objects.filter(archived_at__isnull=False).count()
    assert archived == (2 if allowed else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_write_through_the_web_and_the_api(role: str, web_client: Web) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.WRITE)
    page = web_client(user).post(
        "/parties/new/", {"kind": "person", "given_name": "Rita", "family_name": "Lobo"}
    )
    assert page.status_code == (302 if allowed else 403)
    answer = api_client(user).post(
        "/api/v1/parties",
        {"kind": "person", "given_name": "Rui", "family_name": "Lobo"},
        content_type="application/json",
    )
    assert answer.status_code == (201 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "role_read_only"
    assert Party.objects.filter(family_name="Lobo").count() == (2 if allowed else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_assign_through_the_web_and_the_api(role: str, web_client: Web) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.ASSIGN)
    north = Team.objects.create(name="North")
    first, second = _own_party(user), _own_party(user)
    page = web_client(user).post(
        "/parties/bulk/",
        {"action": "assign", "scope": "selected", "ids": [first.pk], "team": north.pk},
    )
    assert page.status_code == (302 if allowed else 403)
    answer = api_client(user).post(
        "/api/v1/parties/bulk",
        {"action": "assign", "ids": [second.pk], "team_id": north.pk},
        content_type="application/json",
    )
    assert answer.status_code == (200 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "assign_forbidden"
    assert Party.objects.filter(team=north).count() == (2 if allowed else 0)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_administer_through_the_web_the_api_and_the_command_line(
    role: str, web_client: Web
) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.ADMINISTER)
    for url in ("/settings/users/", "/settings/teams/", "/settings/company/"):
        assert web_client(user).get(url).status_code == (200 if allowed else 403), url
    answer = api_client(user).post(
        "/api/v1/teams", {"name": "South"}, content_type="application/json"
    )
    assert answer.status_code == (201 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "administer_forbidden"
    change = ("company", "set", "--name", "Casa Nova", "--as", user.email)
    if allowed:
        call_command(*change, stdout=io.StringIO())
    else:
        with pytest.raises(CommandError, match="only an admin"):
            call_command(*change, stdout=io.StringIO())
    assert Team.objects.filter(name="South").exists() == allowed
    assert (company_settings().name == "Casa Nova") == allowed


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_audit_through_the_web_the_api_and_the_command_line(
    role: str, web_client: Web, capsys: pytest.CaptureFixture[str]
) -> None:
    user = _user(role)
    allowed = _allowed(role, Right.AUDIT)
    record_audit(None, "team.created", target_kind="team", target_id=1, details={"name": "Q"})
    assert web_client(user).get("/settings/audit/").status_code == (200 if allowed else 403)
    answer = api_client(user).get("/api/v1/audit")
    assert answer.status_code == (200 if allowed else 403)
    if not allowed:
        assert answer.json()["code"] == "audit_forbidden"
    capsys.readouterr()
    if allowed:
        call_command("audit", "--json", "--as", user.email)
        assert '"team.created"' in capsys.readouterr().out
    else:
        with pytest.raises(CommandError, match="audit log"):
            call_command("audit", "--json", "--as", user.email)
        assert capsys.readouterr().out == ""
