"""`clientela activities`: list, add, complete and import from the shell, as the user named."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings

from clientela.accounts.models import RIGHTS, Right, Role, User
from clientela.activities.models import Activity, ActivityStatus
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from tests.activities.conftest import plan


def run(*args: str) -> str:
    out = StringIO()
    call_command("activities", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(autouse=True)
def _private_home(settings: Settings, tmp_path: Path) -> None:
    """Imports keep their files under a temporary CLIENTELA_HOME."""
    settings.HOME = tmp_path / "home"


@pytest.mark.django_db
def test_add_list_and_complete_from_the_shell(sales_a: User, party_a: Party) -> None:
    said = run(
        "add",
        str(party_a.pk),
        "--title",
        "Call Ana",
        "--due",
        "2030-05-06",
        "--time",
        "10:00",
        "--time-zone",
        "Europe/Lisbon",
        "--as",
        sales_a.email,
    )
    activity = Activity.objects.get()
    assert f"Activity {activity.pk} planned" in said
    listed = run("list", "--mine", "--as", sales_a.email)
    assert "Call Ana" in listed
    assert "2030-05-06 10:00" in listed
    done = run("complete", str(activity.pk), "--outcome", "Reached", "--as", sales_a.email)
    assert "done" in done
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE
    assert Interaction.objects.get().outcome == "Reached"


@pytest.mark.django_db
def test_a_team_b_user_cannot_list_or_complete_team_a_activities(
    sales_a: User, sales_b: User, party_a: Party
) -> None:
    activity = plan(party_a, sales_a, title="Team A's call")
    assert "Team A's call" not in run("list", "--as", sales_b.email)
    with pytest.raises(CommandError, match="not found"):
        run("complete", str(activity.pk), "--outcome", "Stolen", "--as", sales_b.email)
    with pytest.raises(CommandError, match="not found"):
        run("list", "--party", str(party_a.pk), "--as", sales_b.email)
    with pytest.raises(CommandError, match="not found"):
        run("add", str(party_a.pk), "--title", "x", "--due", "2030-01-01", "--as", sales_b.email)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_bad_input_names_the_field(sales_a: User, party_a: Party) -> None:
    with pytest.raises(CommandError, match="due_date"):
        run("add", str(party_a.pk), "--title", "x", "--due", "soon", "--as", sales_a.email)
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_import_plans_activities_through_the_import_machinery_once(
    sales_a: User, party_a: Party, tmp_path: Path
) -> None:
    party_a.external_id = "C-1"
    party_a.save()
    path = tmp_path / "tasks.csv"
    path.write_text(
        "Customer ID,Type,Title,Due date,Time,Assignee\n"
        f"C-1,call,Renewal call,2030-05-06,09:30,{sales_a.email}\n"
        "C-1,visit,Visit the shop,2030-05-08,,\n",
        encoding="utf-8",
    )
    run("import", str(path), "--as", sales_a.email)
    rows = list(Activity.objects.order_by("due_date"))
    assert [(a.title, a.kind, a.assignee, a.source_kind) for a in rows] == [
        ("Renewal call", "call", sales_a, "import"),
        ("Visit the shop", "visit", sales_a, "import"),
    ]
    run("import", str(path), "--as", sales_a.email)
    assert Activity.objects.count() == 2  # the same file twice plans nothing new


@pytest.mark.django_db
def test_an_import_with_a_bad_row_writes_nothing_and_names_it(
    sales_a: User, party_a: Party, tmp_path: Path
) -> None:
    party_a.external_id = "C-1"
    party_a.save()
    path = tmp_path / "tasks.csv"
    path.write_text(
        "customer_id,kind,title,due_date,assignee\n"
        "C-1,call,Fine,2030-05-06,\n"
        "C-1,call,Bad,2030-05-06,nobody@example.com\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(SystemExit) as exited:  # the import command's exit status 1: bad rows
        call_command(
            "activities", "import", str(path), "--as", sales_a.email, stdout=StringIO(), stderr=err
        )
    assert exited.value.code == 1
    assert "nobody@example.com" in err.getvalue()
    assert "is not the e-mail of an active user" in err.getvalue()
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_export_writes_the_activities_the_user_may_see(
    sales_a: User,
    sales_b: User,
    party_a: Party,
    party_b: Party,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sales may not export by default (accounts.models.RIGHTS); where a company lets them,
    # each gets only the activities they may see.
    monkeypatch.setitem(RIGHTS, Role.SALES, RIGHTS[Role.SALES] | {Right.EXPORT})
    plan(party_a, sales_a, title="=HYPERLINK(evil)")
    plan(party_b, sales_b, title="Team B's")
    out = tmp_path / "activities.csv"
    call_command(
        "export", "activities", "--out", str(out), "--as", sales_a.email, stderr=StringIO()
    )
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK(evil)" in text
    assert "Team B's" not in text
