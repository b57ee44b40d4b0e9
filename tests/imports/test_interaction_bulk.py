"""The set-based interaction import: the same rules as logging one interaction (validation,
the party found by external id, e-mail, phone or id among those the user may see, idempotent
by external id, corrections of the same party), and the same stored rows whichever path a
row takes."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.imports.services import interactions as importer
from clientela.interactions.models import Interaction
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import log_interaction
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

HEADER = "external_id,customer_id,channel,direction,occurred_at,subject,notes,outcome\n"
ROWS = (
    "I1,C1,email,inbound,2024-03-01T10:00:00Z,Asked about delivery,Wants it Monday,done\n"
    "I2,C1,phone,outbound,2024-03-02T09:30:00+01:00,Called back,,\n"
    'I3,C2,letter,inbound,,Sent a letter,"Two lines,\nand a comma",\n'
    ",C2,chat,inbound,2024-03-03T08:00:00.250Z,No external id,,\n"
)


def _stored() -> list[tuple[Any, ...]]:
    fields = ("external_id", "party__external_id", "channel", "direction", "subject", "notes")
    rows = Interaction.objects.order_by("external_id").values_list(*fields, "outcome", "staff")
    return [*rows, *Interaction.objects.values_list("occurred_at").order_by("occurred_at")[:3]]


@pytest.mark.django_db
def test_the_compiled_check_and_the_schema_store_the_same_rows(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    make_party(external_id="C2")
    path = write("i.csv", HEADER + ROWS)
    fast = run_import("interactions", path)
    assert (fast.created, fast.rejected) == (4, 0), fast.problems
    by_fast = _stored()
    Interaction.objects.all()._raw_delete(Interaction.objects.db)
    monkeypatch.setattr(importer, "compile_fast_check", lambda mapping: lambda c, latest: None)
    slow = run_import("interactions", path)
    assert (slow.created, slow.rejected) == (4, 0), slow.problems
    assert _stored() == by_fast


@pytest.mark.django_db
def test_the_compiled_check_reads_times_in_the_files_formats_as_the_schema_path_does(
    admin: User, write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_company(by=admin, country="PT", time_zone="Europe/Lisbon")
    make_party(external_id="C1")
    path = write(
        "contactos.csv",
        "Cliente;Canal;Sentido;Data;Assunto\n"
        "C1;phone;inbound;15/07/2024 10:00;Local time\n"
        "C1;email;outbound;16/07/2024 10:00:30+02:00;With an offset\n"
        "C1;chat;inbound;2024-07-17T08:00:00Z;Already UTC\n"
        "C1;chat;inbound;31/02/2024 10:00;No such day\n",
    )
    accepted: list[str] = []
    compile_check = importer.compile_fast_check

    def counting(mapping: Any) -> Any:
        check = compile_check(mapping)

        def counted(cells: list[str], latest: Any) -> Any:
            found = check(cells, latest)
            if found is not None:
                accepted.append(cells[4])
            return found

        return counted

    monkeypatch.setattr(importer, "compile_fast_check", counting)
    fast = run_import("interactions", path, date_format="DD/MM/YYYY", skip_invalid=True)
    assert (fast.created, fast.rejected) == (3, 1), fast.problems
    assert accepted == ["Local time", "With an offset", "Already UTC"]  # not the impossible day
    assert [(p.row, p.column, p.code) for p in fast.problems] == [(5, "Data", "date_impossible")]
    by_fast = _stored()  # the external ids made from the content too
    Interaction.objects.all()._raw_delete(Interaction.objects.db)
    monkeypatch.setattr(importer, "compile_fast_check", lambda mapping: lambda c, latest: None)
    slow = run_import("interactions", path, date_format="DD/MM/YYYY", skip_invalid=True)
    assert (slow.created, slow.rejected) == (3, 1), slow.problems
    assert _stored() == by_fast
    times = sorted(Interaction.objects.values_list("occurred_at", flat=True))
    assert [f"{t:%Y-%m-%d %H:%M:%S}" for t in times] == [
        "2024-07-15 09:00:00",  # 10:00 in Lisbon's summer time
        "2024-07-16 08:00:30",
        "2024-07-17 08:00:00",
    ]


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    make_party(external_id="C2")
    path = write("i.csv", HEADER + ROWS)
    run_import("interactions", path)
    again = run_import("interactions", path)
    assert (again.created, again.unchanged, again.rejected) == (0, 4, 0)
    assert Interaction.objects.count() == 4


@pytest.mark.django_db
def test_an_external_id_used_by_another_interaction_refuses_the_row_and_the_file(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    run_import("interactions", write("a.csv", HEADER + "I1,C1,email,inbound,,Hello,,\n"))
    summary = run_import(
        "interactions",
        write("b.csv", HEADER + "I2,C1,email,inbound,,Hi,,\nI1,C1,email,inbound,,Bye,,\n"),
    )
    assert summary.written is False
    assert [(p.row, p.column, p.code) for p in summary.problems] == [
        (3, "external_id", "interaction_external_id_taken")
    ]
    assert list(Interaction.objects.values_list("external_id", flat=True)) == ["I1"]


@pytest.mark.django_db
def test_the_same_external_id_twice_in_a_file_is_one_interaction_or_a_conflict(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    same = HEADER + "I1,C1,email,inbound,,Hello,,\nI1,C1,email,inbound,,Hello,,\n"
    summary = run_import("interactions", write("same.csv", same))
    assert (summary.created, summary.unchanged) == (1, 1)
    other = HEADER + "I2,C1,email,inbound,,Hello,,\nI2,C1,email,inbound,,Other,,\n"
    summary = run_import("interactions", write("other.csv", other))
    assert [(p.row, p.code) for p in summary.problems] == [(3, "interaction_external_id_taken")]


@pytest.mark.django_db
def test_another_teams_external_id_is_refused_without_saying_whose(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    theirs = make_party(external_id="C9", owner=sales_b, team=sales_b.team)
    mine = make_party(external_id="C1", owner=sales_a, team=sales_a.team)
    data = InteractionCreate.model_validate(
        {
            "party_id": theirs.pk,
            "channel": "email",
            "direction": "inbound",
            "external_id": "SECRET",
            "subject": "Hi",
        }
    )
    log_interaction(data, by=sales_b)
    summary = run_import(
        "interactions", write("i.csv", HEADER + "SECRET,C1,email,inbound,,Hi,,\n"), by=sales_a
    )
    assert [(p.column, p.code) for p in summary.problems] == [("external_id", "value_unavailable")]
    assert not Interaction.objects.filter(party=mine).exists()


@pytest.mark.django_db
def test_a_party_is_found_by_e_mail_phone_or_id_and_must_be_visible(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    ana = make_party(email="ana@example.com", phone="+351912345678", owner=sales_a)
    hidden = make_party(email="bo@example.com", owner=sales_b, team=sales_b.team)
    path = write(
        "i.csv",
        "party_email,party_phone,party_id,channel,direction,subject\n"
        "ANA@example.com,,,email,inbound,by e-mail\n"
        ",+351 912 345 678,,phone,inbound,by phone\n"
        f",,{ana.pk},sms,inbound,by id\n"
        f"bo@example.com,,,email,inbound,hidden\n"
        f",,{hidden.pk},email,inbound,hidden by id\n",
    )
    summary = run_import("interactions", path, by=sales_a)
    assert summary.written is False  # two rows name parties sales_a cannot see
    assert not Interaction.objects.exists()
    assert [(p.row, p.code) for p in summary.problems] == [
        (5, "party_email_not_visible"),
        (6, "party_not_visible"),
    ]
    summary = run_import("interactions", path, by=sales_a, skip_invalid=True)
    assert summary.created == 3
    assert sorted(Interaction.objects.values_list("party_id", "subject")) == sorted(
        [(ana.pk, "by e-mail"), (ana.pk, "by phone"), (ana.pk, "by id")]
    )


@pytest.mark.django_db
def test_a_correction_names_an_interaction_of_the_same_party(
    write: Writer, run_import: Importer, admin: User
) -> None:
    ana = make_party(external_id="C1")
    make_party(external_id="C2")
    first, _ = log_interaction(
        InteractionCreate.model_validate(
            {"party_id": ana.pk, "channel": "phone", "direction": "inbound", "subject": "Call"}
        ),
        by=admin,
    )
    path = write(
        "i.csv",
        "customer_id,channel,direction,subject,corrects_id\n"
        f"C1,phone,inbound,Fixed the date,{first.pk}\n"
        f"C2,phone,inbound,Not theirs,{first.pk}\n",
    )
    summary = run_import("interactions", path, skip_invalid=True)
    assert summary.created == 1
    assert [(p.row, p.column, p.code) for p in summary.problems] == [
        (3, "corrects_id", "interaction_not_of_party")
    ]
    fix = Interaction.objects.get(subject="Fixed the date")
    assert (fix.corrects_id, fix.party_id, fix.staff_id) == (first.pk, ana.pk, admin.pk)


@pytest.mark.django_db
def test_a_dry_run_judges_every_row_and_writes_nothing(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write("i.csv", HEADER + "I1,C1,email,inbound,,Hello,,\nI1,C1,email,inbound,,Other,,\n")
    summary = run_import("interactions", path, dry_run=True)
    assert (summary.created, summary.rejected, summary.written) == (1, 1, False)
    assert not Interaction.objects.exists()


def test_interactions_are_mapped_by_phone_and_correction_headers() -> None:
    from clientela.imports.services.mapping import build_mapping

    mapping = build_mapping("interactions", ["Telefone", "Canal", "Direction", "Corrects"], {}, {})
    assert mapping.targets == ("party_phone", "channel", "direction", "corrects_id")
