"""An unmerge moves consent records back to the party they were recorded for.

Migration 0006 let a merge move records away from an archived party (the merged one); undoing
the merge moves them back while that party is still archived, towards it. The move's rule now
reads "only `party_id` changes, away from or towards an archived party": every other column,
the proof, stays as recorded. Reversing restores 0006's rule.
"""

from importlib import import_module

from django.db import migrations

proof = import_module("clientela.consent.migrations.0006_proof_triggers")

SQLITE_EITHER = "(clientela_party_archived(OLD.party_id) OR clientela_party_archived(NEW.party_id))"
PG_EITHER = (
    "EXISTS (SELECT 1 FROM parties_party WHERE id IN (OLD.party_id, NEW.party_id)"
    " AND archived_at IS NOT NULL)"
)


def _sqlite(archived):
    allowed = proof._record_update_allowed("IS", "IS NOT", archived)
    return [
        "DROP TRIGGER IF EXISTS consent_record_no_update",
        f"""CREATE TRIGGER consent_record_no_update BEFORE UPDATE ON consent_consentrecord
    WHEN NOT ({allowed})
    BEGIN SELECT RAISE(ABORT, '{proof.RECORD_REFUSED % "UPDATE"}'); END""",
    ]


def _postgresql(archived):
    allowed = proof._record_update_allowed("IS NOT DISTINCT FROM", "IS DISTINCT FROM", archived)
    refused = proof.RECORD_REFUSED.replace("%s", "%")
    return [
        f"""CREATE OR REPLACE FUNCTION consent_record_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND ({allowed}) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{refused}', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END $$"""
    ]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0007_throttle_moves_to_accounts"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": _sqlite(SQLITE_EITHER), "postgresql": _postgresql(PG_EITHER)}),
            _run(
                {
                    "sqlite": _sqlite(proof.SQLITE_ARCHIVED),
                    "postgresql": _postgresql(proof.PG_ARCHIVED),
                }
            ),
            elidable=False,
        ),
    ]
