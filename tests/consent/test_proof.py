"""Consent proof that cannot be edited: database triggers, on SQLite and on PostgreSQL.

The model refuses `save()` and the queryset's `update()`/`delete()` in Python; these tests go
around it (the base manager, raw SQL, a plain sqlite3 connection like the `sqlite3` shell)
and find the database itself refusing. Erasure's pseudonymisation and a merge's move of the
records to the surviving party are the two changes the triggers let through.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, ConsentWording
from clientela.consent.services import erase_party, record_consent, store_wording
from clientela.consent.services.proof import wiping
from clientela.parties.models import Party
from tests import factories
from tests.consent.conftest import WORDING, grant

pytestmark = pytest.mark.django_db
RECORD = ConsentRecord._meta.db_table
WORDING_TABLE = ConsentWording._meta.db_table


def _refused(statement: Any) -> None:
    """The statement fails in the database, and the transaction goes on."""
    with (
        pytest.raises(IntegrityError, match=r"append-only|cannot be changed"),
        transaction.atomic(),
    ):
        statement()


def _sql(statement: str, *params: int | str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_base_manager_cannot_update_or_delete_a_consent_record() -> None:
    record = grant(factories.make_party())
    rows = ConsentRecord._base_manager.filter(pk=record.pk)
    _refused(lambda: rows.update(status="withdrawn"))
    _refused(lambda: rows.update(note="changed"))
    _refused(rows.delete)
    assert ConsentRecord.objects.get(pk=record.pk).status == "granted"


def test_raw_sql_cannot_update_or_delete_a_consent_record() -> None:
    record = grant(factories.make_party())
    _refused(lambda: _sql(f"UPDATE {RECORD} SET status = 'withdrawn' WHERE id = %s", record.pk))  # noqa: S608  (a table name from the model)
    _refused(lambda: _sql(f"DELETE FROM {RECORD} WHERE id = %s", record.pk))  # noqa: S608  (a table name from the model)
    assert ConsentRecord.objects.filter(pk=record.pk, status="granted").exists()


def test_a_wording_cannot_be_changed_or_deleted_once_its_hash_is_taken() -> None:
    wording = store_wording(WORDING)
    rows = ConsentWording._base_manager.filter(pk=wording.pk)
    _refused(lambda: rows.update(text="Something else"))
    _refused(lambda: rows.update(sha256="0" * 64))
    _refused(lambda: _sql(f"DELETE FROM {WORDING_TABLE} WHERE id = %s", wording.pk))  # noqa: S608  (a table name from the model)
    _refused(rows.delete)
    assert ConsentWording.objects.get(pk=wording.pk).text == WORDING


def test_every_column_of_a_record_is_guarded_even_beside_an_erasure() -> None:
    """The erasure's shape lets only the self-service details go: any other column changed
    with it is refused, so a column added later must be named in the trigger."""
    record = grant(factories.make_party())
    other = factories.make_party()
    erasing = {"erased_at": timezone.now(), "ip_address": None, "user_agent": "", "note": ""}
    changes: dict[str, object] = {
        "party": other,
        "purpose": "surveys",
        "channel": "sms",
        "status": "withdrawn",
        "legal_basis": "contract",
        "source": "api",
        "wording": store_wording("Another text"),
        "actor": factories.make_user(email="someone@example.com"),
        "recorded_at": timezone.now(),
    }
    guarded = {f.name for f in ConsentRecord._meta.concrete_fields} - set(erasing) - {"id"}
    assert guarded == set(changes), "a new column: add it to the triggers and here"
    rows = ConsentRecord._base_manager.filter(pk=record.pk)
    for name, value in changes.items():
        _refused(lambda name=name, value=value: rows.update(**erasing, **{name: value}))
    _refused(lambda: rows.update(erased_at=timezone.now()))  # the stamp alone keeps the details
    rows.update(**erasing)  # the pseudonymisation itself
    _refused(lambda: rows.update(erased_at=None))  # and it cannot be undone


def test_erasure_pseudonymises_records_and_wordings_that_name_the_person(admin: User) -> None:
    party = factories.make_party(email="zeb@example.org", given_name="Zebulon")
    named = store_wording("I, Zebulon, agree to receive the newsletter.")
    record_consent(
        party,
        purpose="newsletter",
        channel="email",
        status="granted",
        source="staff",
        wording=named,
        note="Zebulon said yes on the phone",
        actor=admin,
    )
    grant(party)
    erase_party(party, by=admin)
    records = ConsentRecord.objects.filter(party=party)
    assert {(r.note, r.user_agent, r.ip_address) for r in records} == {("", "", None)}
    assert all(r.erased_at is not None for r in records)
    named.refresh_from_db()
    assert (named.text, named.erased_at is not None) == ("", True)
    assert len(named.sha256) == 64  # the hash still proves which text it was
    assert ConsentWording.objects.get(text=WORDING).erased_at is None  # names nobody: kept


def test_a_merge_moves_records_only_away_from_the_archived_party() -> None:
    merged, survivor = factories.make_party(), factories.make_party()
    record = grant(merged)
    rows = ConsentRecord._base_manager.filter(pk=record.pk)
    _refused(lambda: rows.update(party=survivor))  # not archived: not a merge
    Party.objects.filter(pk=merged.pk).update(archived_at=timezone.now())
    _refused(lambda: rows.update(party=survivor, note="moved"))  # a move changes nothing else
    rows.update(party=survivor)
    assert ConsentRecord.objects.get(pk=record.pk).party_id == survivor.pk


def test_whoever_recorded_a_consent_cannot_be_deleted(admin: User) -> None:
    record_consent(
        factories.make_party(),
        purpose="surveys",
        channel="email",
        status="withdrawn",
        source="staff",
        actor=admin,
    )
    with pytest.raises(ProtectedError):
        admin.delete()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_sqlite3_shell_cannot_change_or_delete_proof_either() -> None:
    """A plain sqlite3 connection (as the shell opens) gets the same refusals."""
    record = grant(factories.make_party())
    shell = sqlite3.connect(":memory:")
    shell.deserialize(connection.connection.serialize())
    for statement in (
        f"UPDATE {RECORD} SET status = 'withdrawn'",  # noqa: S608  (a table name from the model)
        f"DELETE FROM {RECORD}",  # noqa: S608  (a table name from the model)
        f"UPDATE {WORDING_TABLE} SET text = 'changed'",  # noqa: S608  (a table name from the model)
        f"DELETE FROM {WORDING_TABLE}",  # noqa: S608  (a table name from the model)
    ):
        with pytest.raises(sqlite3.DatabaseError):
            shell.execute(statement)
    assert shell.execute(f"SELECT status FROM {RECORD} WHERE id = ?", (record.pk,)).fetchone() == (  # noqa: S608  (a table name from the model)
        "granted",
    )


def test_the_triggers_are_in_place_after_the_migrations() -> None:
    """A later migration that rebuilds a consent table (SQLite copies it) must add them back."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            found = set(cursor.fetchall())
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT event_object_table, trigger_name FROM information_schema.triggers"
            )
            found = set(cursor.fetchall())
    tables = {table for table, _name in found}
    assert {RECORD, WORDING_TABLE} <= tables


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_later_migrations_can_still_rebuild_any_table_on_sqlite() -> None:
    """Django's SQLite migrations rebuild a table by copying it, dropping it and renaming the
    copy; SQLite refuses the rename while a trigger names the dropped table. The triggers name
    only their own table (they ask the connection's functions the rest)."""
    from django.apps import apps

    grant(factories.make_party())
    for model in apps.get_models(include_auto_created=True):
        table = connection.ops.quote_name(model._meta.db_table)
        copy = connection.ops.quote_name(f"new__{model._meta.db_table}")
        with pytest.raises(_Undo), transaction.atomic():  # noqa: PT012  (the rebuild, then undone)
            _sql(f"CREATE TABLE {copy} AS SELECT * FROM {table}")  # noqa: S608  (names from the models)
            _sql(f"DROP TABLE {table}")
            _sql(f"ALTER TABLE {copy} RENAME TO {table}")
            raise _Undo


class _Undo(Exception):
    """Rolls the rebuild back."""


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_to_truncate_proof_unless_the_database_is_wiped() -> None:
    """`flush` truncates every table; anything else that truncates proof is refused."""
    record = grant(factories.make_party())
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred check of this test
    for table in (RECORD, WORDING_TABLE):
        with pytest.raises(IntegrityError, match="cannot be truncated"), transaction.atomic():
            _sql(f"TRUNCATE {table} CASCADE")
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    with wiping(), transaction.atomic():
        _sql(f"TRUNCATE {RECORD}, {WORDING_TABLE} CASCADE")
        assert not ConsentRecord.objects.exists()
        transaction.set_rollback(True)
