"""A parties file with consent columns is published in slices like any parties file, and its
withdrawals are recorded only once the file is final: a take-back never meets consent proof
(issue 20; imports/services/consent_stage.py)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, ConsentSource, ConsentStatus
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.imports.services import ImportOptions, consent_stage, importing, publishing, runs
from clientela.imports.services.importing import read_file
from clientela.imports.services.party_bulk import is_bulk
from clientela.imports.services.runs import import_path
from clientela.parties.bulk import StagedParties
from clientela.parties.models import Party, PartyChange
from tests.consent.conftest import grant
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

CHANNELS = 5  # a newsletter "no" is one record per contact channel
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL publishes in one transaction"
)


def _file(write: Writer, rows: int, *, last: str = "") -> Path:
    lines = "".join(f"N{n},Ana {n},ana.{n}@example.com,no\n" for n in range(rows))
    return write("p.csv", "external_id,name,email,Newsletter\n" + lines + last)


def _small_slices(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 1e-9  # slices of the fewest rows: many of them
    settings.CLIENTELA_WRITE_YIELD_SECONDS = 0
    monkeypatch.setattr(importing, "PUBLISH_FIRST_PARTIES", 100)
    monkeypatch.setattr(consent_stage, "CHUNK", 150)
    monkeypatch.setattr(publishing, "JOURNAL_CHUNKS", 2)


@pytest.mark.django_db
def test_a_file_with_consent_columns_is_read_set_based(write: Writer) -> None:
    with _file(write, 1).open("rb") as binary:
        _table, mapping = read_file(binary, name="p.csv", options=ImportOptions(kind="parties"))
    assert is_bulk(mapping)


@pytest.mark.django_db(transaction=True)
def test_a_bad_row_at_the_end_leaves_no_consent_record_and_no_party(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_slices(settings, monkeypatch)
    path = _file(write, 300, last="N300,Bad Row,not an e-mail,no\n")
    run, summary = import_path(path, options=ImportOptions(kind="parties"), by=admin)
    assert (summary.rejected, summary.written) == (1, False)
    assert [p.code for p in summary.problems] != []
    assert not Party.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not PublishedSlice.objects.exists()
    assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.INVALID


@pytest.mark.django_db(transaction=True)
def test_the_withdrawals_are_recorded_with_their_proof_after_every_party_in_slices(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_slices(settings, monkeypatch)
    seen: list[tuple[int, int, bool]] = []  # (parties, records, in a transaction) per chunk
    record = consent_stage.record_chunk

    def watched(chunk: dict[str, Any]) -> int:
        seen.append(
            (Party.objects.count(), ConsentRecord.objects.count(), connection.in_atomic_block)
        )
        return record(chunk)

    monkeypatch.setattr(consent_stage, "record_chunk", watched)
    run, summary = import_path(_file(write, 300), options=ImportOptions(kind="parties"), by=admin)
    assert (summary.created, summary.rejected, run.status) == (300, 0, ImportStatus.DONE)
    assert ConsentRecord.objects.count() == 300 * CHANNELS
    assert len(seen) == 300 * CHANNELS // 150  # one transaction per chunk
    assert all(parties == 300 and inside for parties, _records, inside in seen)
    assert [records for _p, records, _i in seen] == list(range(0, 300 * CHANNELS, 150))
    record_ = ConsentRecord.objects.filter(party__external_id="N7").first()
    assert record_ is not None
    assert (record_.status, record_.source, record_.actor) == (
        ConsentStatus.WITHDRAWN,
        ConsentSource.IMPORT,
        admin,
    )
    assert "p.csv (SHA-256 " in record_.note
    assert record_.note.endswith(", row 9")
    assert not PublishedSlice.objects.exists()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_failure_while_publishing_the_parties_leaves_no_party_and_no_consent(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_slices(settings, monkeypatch)
    publish, slices = StagedParties.publish_slice, []

    def fail_on_the_third(self: StagedParties, *args: Any) -> Any:
        slices.append(Party.objects.count())
        if len(slices) == 3:
            raise RuntimeError("the disk is full")
        return publish(self, *args)

    monkeypatch.setattr(StagedParties, "publish_slice", fail_on_the_third)
    with pytest.raises(RuntimeError):
        import_path(_file(write, 300), options=ImportOptions(kind="parties"), by=admin)
    assert slices[2] > 0  # slices had been committed
    assert not Party.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not PublishedSlice.objects.exists()
    assert ImportRun.objects.get().status == ImportStatus.FAILED


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_point_of_no_return_is_finished_not_taken_back(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_slices(settings, monkeypatch)
    record, calls = consent_stage.record_chunk, []

    def fail_on_the_fourth(chunk: dict[str, Any]) -> int:
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("the disk is full")
        return record(chunk)

    monkeypatch.setattr(consent_stage, "record_chunk", fail_on_the_fourth)
    with pytest.raises(RuntimeError):
        import_path(_file(write, 300), options=ImportOptions(kind="parties"), by=admin)
    # Final: every party stays, with the withdrawals of the three chunks recorded.
    assert Party.objects.count() == 300
    assert ConsentRecord.objects.count() == 3 * 150
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    left = list(PublishedSlice.objects.values_list("undo", flat=True))
    assert left
    assert {chunk["kind"] for chunk in left} == {consent_stage.KIND, consent_stage.FINAL}
    monkeypatch.setattr(consent_stage, "record_chunk", record)
    runs.settle_interrupted()  # a failed run's journal is finished: the rest is recorded
    assert ConsentRecord.objects.count() == 300 * CHANNELS
    assert not PublishedSlice.objects.exists()
    assert Party.objects.count() == 300


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_run_killed_after_the_point_of_no_return_has_its_withdrawals_recorded_at_settling(
    write: Writer, admin: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state a SIGKILL leaves between two chunks: parties published, some withdrawals in
    the journal, the process gone (tests/imports/test_party_consent_kill.py kills one)."""
    _small_slices(settings, monkeypatch)
    record = consent_stage.record_chunk
    monkeypatch.setattr(
        consent_stage, "record_chunk", lambda chunk: (_ for _ in ()).throw(KeyboardInterrupt)
    )
    with pytest.raises(KeyboardInterrupt):
        import_path(_file(write, 300), options=ImportOptions(kind="parties"), by=admin)
    monkeypatch.setattr(consent_stage, "record_chunk", record)
    ImportRun.objects.update(status=ImportStatus.PUBLISHING, pid=_ended_pid())
    assert not ConsentRecord.objects.exists()
    assert runs.settle_interrupted() == 1
    assert ConsentRecord.objects.count() == 300 * CHANNELS
    assert Party.objects.count() == 300
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_already_in_force_is_not_recorded_again_and_a_grant_is_withdrawn(
    run_import: Importer, write: Writer, admin: User
) -> None:
    known = make_party(email="known@example.org", external_id="K1")
    grant(known, "newsletter", "email")
    path = write("p.csv", "external_id,name,email,Newsletter\nK1,,known@example.org,no\n")
    summary = run_import("parties", path)
    assert (summary.updated, summary.unchanged) == (1, 0)  # news, even without upsert
    latest = ConsentRecord.objects.filter(party=known, channel="email").first()
    assert latest is not None
    assert (latest.status, latest.legal_basis) == (ConsentStatus.WITHDRAWN, "consent")
    assert ConsentRecord.objects.filter(party=known, status="withdrawn").count() == CHANNELS
    again = run_import("parties", path)
    assert (again.updated, again.unchanged) == (0, 1)
    assert ConsentRecord.objects.filter(party=known, status="withdrawn").count() == CHANNELS


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_of_a_consent_file_records_nothing(
    run_import: Importer, write: Writer, admin: User
) -> None:
    summary = run_import("parties", _file(write, 20), dry_run=True)
    assert (summary.created, summary.written) == (20, False)
    assert not Party.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not PartyChange.objects.exists()


def _ended_pid() -> int:
    """The id of a process that has ended."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_withdrawals_journalled_before_the_point_of_no_return_are_dropped_not_recorded(
    admin: User,
) -> None:
    """A file whose rows only withdraw for stored parties publishes no party slice: a kill
    while its withdrawals are journalled leaves chunks without the mark of finality, and the
    settling drops them (the file was not final: nothing of it is recorded)."""
    known = make_party(email="known@example.org")
    run = ImportRun.objects.create(
        kind="parties", file_name="p.csv", created_by=admin, status=ImportStatus.PUBLISHING
    )
    chunk = {
        "kind": consent_stage.KIND,
        "actor": admin.pk,
        "file": "p.csv",
        "sha256": "0" * 64,
        "withdrawals": [[known.pk, "newsletter", "email", 2]],
    }
    PublishedSlice.objects.create(run=run, undo=chunk)
    ImportRun.objects.filter(pk=run.pk).update(pid=_ended_pid(), host=socket.gethostname())
    assert runs.settle_interrupted() == 1
    assert not ConsentRecord.objects.exists()
    assert not PublishedSlice.objects.exists()
    # With the mark, the same journal is finished instead.
    PublishedSlice.objects.create(run=run, undo=chunk)
    PublishedSlice.objects.create(run=run, undo={"kind": consent_stage.FINAL})
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.PUBLISHING)
    assert runs.settle_interrupted() == 1
    record = ConsentRecord.objects.get()
    assert (record.party, record.status, record.note) == (
        known,
        ConsentStatus.WITHDRAWN,
        f"import of p.csv (SHA-256 {'0' * 64}), row 2",
    )
    assert not PublishedSlice.objects.exists()
