"""The set-based party import writes what the row-by-row one wrote, with the same rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.consent.services import suppress
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.imports.services import importing
from clientela.imports.services.importing import ImportOptions
from clientela.imports.services.runs import import_path
from clientela.parties.bulk import StagedParties
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyChange
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

pytestmark = pytest.mark.django_db

FILE = (
    "external_id,name,email,phone,tags,roles,birthday,city,country,language,notes\n"
    "C1,Ana Silva,Ana@Example.com,+351 912 345 678,vip;b2c,customer,1990-05-04,Lisboa,PT,pt,hi\n"
    "C2,Rui Costa,rui@example.com,,,,--02-29,,,,\n"
    "C3,Zoë Müller,zoe@xn--bcher-kva.example,0044 20 7946 0958,newsletter,partner,,Porto,"
    "Portugal,,\n"
)


def _dump() -> list[Any]:
    """Every party as the tables hold it, ids and times left out."""
    result = []
    for party in Party.objects.order_by("external_id").prefetch_related(
        "contact_points", "tags", "roles", "key_dates", "changes"
    ):
        row = [
            party.kind,
            party.display_name,
            party.search_text,
            party.name_key,
            party.external_id,
            party.language,
            party.notes,
            party.owner_id,
            party.team_id,
            party.custom,
            party.created_by_id,
        ]
        row.append(
            sorted(
                (p.kind, p.value, p.normalized, p.is_primary, p.street, p.locality, p.country)
                for p in party.contact_points.all()
            )
        )
        row.append(sorted(t.name for t in party.tags.all()))
        row.append(sorted((r.role, r.since, r.until) for r in party.roles.all()))
        row.append(sorted(str(k) for k in party.key_dates.all()))
        row.append(
            [
                (c.action, c.actor_id, json.dumps(c.changes, sort_keys=True))
                for c in party.changes.all()
            ]
        )
        result.append(row)
    return result


def _both_ways(
    write: Writer,
    run_import: Importer,
    monkeypatch: pytest.MonkeyPatch,
    content: str,
    **options: Any,
) -> tuple[list[Any], list[Any]]:
    path = write("p.csv", content)
    summary = run_import("parties", path, **options)
    assert summary.rejected == 0, summary.problems
    bulk = _dump()
    Party.objects.all().delete()
    monkeypatch.setattr(importing, "is_bulk", lambda mapping: False)
    run_import("parties", path, **options)
    return bulk, _dump()


def test_the_bulk_import_writes_what_the_row_by_row_import_wrote(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk, single = _both_ways(write, run_import, monkeypatch, FILE)
    assert len(bulk) == 3
    assert bulk == single


# A Portuguese company's file: day-first dates, local phones read in each row's country (the
# same digits are a Lisbon mobile and a Madrid line), else in the company's.
REGIONAL = (
    "Código;Nome;Email;Telemóvel;País;Data de nascimento;Cliente desde\n"
    "C1;João Gonçalves;joao@example.pt;912 345 678;Portugal;25/12/1980;03/04/2015\n"
    "C2;María López;maria@example.es;912 345 678;Espanha;17/05/1975;\n"
    "C3;Ana Silva;ana@example.pt;936 111 222;;01/02/1990;31/01/2020\n"
    "C4;Bob Stone;bob@example.com;+44 20 7946 0958;;;\n"
)


def _phones() -> dict[str | None, str]:
    rows = ContactPoint.objects.filter(kind=ContactKind.PHONE)
    return dict(rows.values_list("party__external_id", "normalized"))


def test_the_bulk_import_reads_phones_in_the_rows_region_and_dates_in_the_files_format(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch, admin: User
) -> None:
    update_company(by=admin, country="PT", time_zone="Europe/Lisbon")
    bulk, single = _both_ways(write, run_import, monkeypatch, REGIONAL)
    assert bulk == single
    assert _phones() == {
        "C1": "+351912345678",
        "C2": "+34912345678",
        "C3": "+351936111222",
        "C4": "+442079460958",
    }
    assert [row[-2] for row in bulk] == [
        ["1980-12-25", "2015-04-03"],
        ["1975-05-17"],
        ["1990-02-01", "2020-01-31"],
        [],
    ]


def test_a_suppressed_number_is_kept_out_in_its_rows_region_only(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch, admin: User
) -> None:
    update_company(by=admin, country="PT")
    suppress("phone", "+351912345678", reason="manual")
    path = write("p.csv", REGIONAL)
    outcomes = []
    for bulk in (True, False):
        monkeypatch.setattr(importing, "is_bulk", lambda mapping, bulk=bulk: bulk)
        summary = run_import("parties", path)
        outcomes.append(
            (
                summary.created,
                summary.skipped,
                [(p.row, p.column, p.code) for p in summary.problems],
                sorted(_phones().items()),
            )
        )
        Party.objects.all().delete()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][:3] == (3, 1, [(2, "Telemóvel", "contact_on_suppression_list")])
    assert ("C2", "+34912345678") in outcomes[0][3]


def test_an_upsert_reads_a_new_phone_in_the_partys_address_country(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch, admin: User
) -> None:
    update_company(by=admin, country="PT")
    first = write("first.csv", "external_id,name,city,country\nC1,María López,Madrid,ES\n")
    update = write("u.csv", "external_id,phone\nC1,912 345 678\n")
    dumps = []
    for bulk in (True, False):
        monkeypatch.setattr(importing, "is_bulk", lambda mapping, bulk=bulk: bulk)
        run_import("parties", first)
        summary = run_import("parties", update, upsert=True)
        assert summary.updated == 1, summary.problems
        assert _phones() == {"C1": "+34912345678"}
        dumps.append(_dump())
        Party.objects.all().delete()
    assert dumps[0] == dumps[1]


def test_a_sales_users_parties_are_theirs_and_their_teams_as_with_create_party(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch, sales_a: User
) -> None:
    bulk, single = _both_ways(write, run_import, monkeypatch, FILE, by=sales_a)
    assert bulk[0][7:9] == [sales_a.pk, sales_a.team_id]
    assert bulk == single


def test_an_upsert_changes_and_logs_what_the_row_by_row_import_did(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write("first.csv", FILE)
    update = FILE.replace(",pt,hi", ",es,bye").replace("vip;b2c", "gold")
    run_import("parties", first)
    summary = run_import("parties", write("u.csv", update), upsert=True)
    assert (summary.updated, summary.unchanged) == (1, 2)
    bulk = _dump()
    Party.objects.all().delete()
    monkeypatch.setattr(importing, "is_bulk", lambda mapping: False)
    run_import("parties", first)
    run_import("parties", write("u2.csv", update), upsert=True)
    assert bulk == _dump()
    assert not PublishedSlice.objects.exists()


def test_a_row_naming_a_party_an_earlier_row_makes_is_refused(
    write: Writer, run_import: Importer
) -> None:
    path = write("p.csv", "name,email\nAna Silva,ana@example.com\nAna S.,ANA@example.com\n")
    summary = run_import("parties", path)
    assert [(p.row, p.code) for p in summary.problems] == [(3, "party_repeated_in_file")]
    assert not Party.objects.exists()


def test_an_address_of_a_party_the_user_may_not_see_refuses_the_row_without_naming_it(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    make_party(email="ana@example.com", owner=sales_b, team=sales_b.team)
    summary = run_import("parties", write("p.csv", "name,email\nAna,ana@example.com\n"), by=sales_a)
    assert [p.code for p in summary.problems] == ["value_unavailable"]
    assert Party.objects.count() == 1


def test_invalid_rows_are_reported_as_the_schema_reports_them(
    write: Writer, run_import: Importer
) -> None:
    path = write(
        "p.csv", "name,email,language\nAna,not-an-address,pt\nRui,rui@example.com,xx-yyyyy\n"
    )
    summary = run_import("parties", path)
    assert [(p.row, p.column, p.code) for p in summary.problems] == [
        (2, "email", "email_invalid"),
        (3, "language", "language_invalid"),
    ]
    assert not ContactPoint.objects.exists()
    assert not PartyChange.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction")
@pytest.mark.django_db(transaction=True)
def test_a_party_import_that_fails_while_publishing_takes_back_what_it_published(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 1e-9  # slices of the fewest rows: many of them
    settings.CLIENTELA_WRITE_YIELD_SECONDS = 0
    monkeypatch.setattr(importing, "PUBLISH_FIRST_PARTIES", 100)
    make_party(email="old@example.com", external_id="OLD", language="en")
    rows = "".join(f"N{n},Ana {n},ana.{n}@example.com,\n" for n in range(400))
    path = write("p.csv", "external_id,name,email,language\nOLD,Maria,old@example.com,pt\n" + rows)
    publish, slices = StagedParties.publish_slice, []

    def fail_on_the_fourth(self: StagedParties, *args: Any) -> Any:
        slices.append(Party.objects.count())
        if len(slices) == 4:
            raise RuntimeError("the disk is full")
        return publish(self, *args)

    monkeypatch.setattr(StagedParties, "publish_slice", fail_on_the_fourth)
    with pytest.raises(RuntimeError):
        import_path(path, options=ImportOptions(kind="parties", upsert=True), by=admin)
    assert slices[3] > 1  # slices had been committed
    assert list(Party.objects.values_list("external_id", "language")) == [("OLD", "en")]
    assert PartyChange.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not PublishedSlice.objects.exists()
