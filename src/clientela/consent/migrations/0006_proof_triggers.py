"""Database triggers that keep consent proof as it was recorded, on SQLite and PostgreSQL.

Consent records: UPDATE and DELETE are refused, except two updates of a fixed shape —
  - erasure's pseudonymisation: `erased_at` set once, with the IP address, user agent and note
    blanked and every other column unchanged;
  - a merge's move: only `party_id` changes, away from a party that is archived (the merged one).
Wordings whose hash is taken: UPDATE and DELETE are refused, except erasure blanking the text
and version of one that names the person (`erased_at` set once, hash and the rest unchanged).

Emptying the whole database (`flush`: the demo's rebuild, the test suite) is the one removal
allowed, flagged for its connection by consent.services.proof.wiping(): on SQLite the DELETE
triggers ask the connection's function clientela_wiping() (a plain sqlite3 shell has none, so
it is refused there too); on PostgreSQL `flush` truncates, which the TRUNCATE triggers allow only
with the setting clientela.wiping = 'on'. Functions of the connection (installed by the consent
app on every SQLite connection Django opens) also answer whether a party is archived: a SQLite
trigger that named another table would break the rebuilds of that table by later migrations.

A later migration that rebuilds one of these tables on SQLite (AlterField copies the table and
drops the old one with its triggers) must create them again: tests/consent/test_proof.py checks.
"""

from django.db import migrations

RECORD_KEPT = (
    "id, purpose, channel, status, legal_basis, source, wording_id, actor_id, recorded_at"
)
RECORD_DETAILS = "ip_address, user_agent, note, erased_at"
WORDING_KEPT = "id, sha256, language, created_at"


def _row(prefix, columns):
    return "(" + ", ".join(f"{prefix}.{c.strip()}" for c in columns.split(",")) + ")"


def _same(columns, equal):
    return f"{_row('NEW', columns)} {equal} {_row('OLD', columns)}"


def _record_update_allowed(equal, different, archived):
    erasure = (
        "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.ip_address IS NULL"
        " AND NEW.user_agent = '' AND NEW.note = ''"
        f" AND {_same(RECORD_KEPT + ', party_id', equal)}"
    )
    merge = (
        f"NEW.party_id {different} OLD.party_id"
        f" AND {_same(RECORD_KEPT + ', ' + RECORD_DETAILS, equal)}"
        f" AND {archived}"
    )
    return f"({erasure}) OR ({merge})"


def _wording_update_allowed(equal):
    return (
        "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL"
        f" AND NEW.text = '' AND NEW.version = '' AND {_same(WORDING_KEPT, equal)}"
    )


# Whether the record's party is archived (a merged party is). SQLite triggers must name no
# other table: Django's SQLite migrations rebuild a table by copying it, dropping it and renaming
# the copy, and SQLite refuses that rename while a trigger names the dropped table. So SQLite
# asks the connection's function (consent.services.proof), PostgreSQL the table itself.
SQLITE_ARCHIVED = "clientela_party_archived(OLD.party_id)"
PG_ARCHIVED = (
    "EXISTS (SELECT 1 FROM parties_party WHERE id = OLD.party_id AND archived_at IS NOT NULL)"
)
RECORD_REFUSED = "consent records are append-only proof: %s refused"
WORDING_REFUSED = "a consent wording cannot be changed or deleted once its hash is taken"

SQLITE = [
    f"""CREATE TRIGGER consent_record_no_update BEFORE UPDATE ON consent_consentrecord
    WHEN NOT ({_record_update_allowed("IS", "IS NOT", SQLITE_ARCHIVED)})
    BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSED % "UPDATE"}'); END""",
    f"""CREATE TRIGGER consent_record_no_delete BEFORE DELETE ON consent_consentrecord
    WHEN NOT clientela_wiping()
    BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSED % "DELETE"}'); END""",
    f"""CREATE TRIGGER consent_wording_no_update BEFORE UPDATE ON consent_consentwording
    WHEN OLD.sha256 <> '' AND NOT ({_wording_update_allowed("IS")})
    BEGIN SELECT RAISE(ABORT, '{WORDING_REFUSED}'); END""",
    f"""CREATE TRIGGER consent_wording_no_delete BEFORE DELETE ON consent_consentwording
    WHEN OLD.sha256 <> '' AND NOT clientela_wiping()
    BEGIN SELECT RAISE(ABORT, '{WORDING_REFUSED}'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "consent_record_no_update",
        "consent_record_no_delete",
        "consent_wording_no_update",
        "consent_wording_no_delete",
    )
]

WIPING = "coalesce(current_setting('clientela.wiping', true), '') = 'on'"
POSTGRESQL = [
    f"""CREATE FUNCTION consent_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (
            {_record_update_allowed("IS NOT DISTINCT FROM", "IS DISTINCT FROM", PG_ARCHIVED)}
        ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{RECORD_REFUSED.replace("%s", "%")}', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE FUNCTION consent_wording_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.sha256 = '' OR (
            TG_OP = 'UPDATE' AND {_wording_update_allowed("IS NOT DISTINCT FROM")}
        ) THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        RAISE EXCEPTION '{WORDING_REFUSED}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE FUNCTION consent_truncate_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {WIPING} THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'consent proof cannot be truncated: % refused', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER consent_record_guard BEFORE UPDATE OR DELETE ON consent_consentrecord
    FOR EACH ROW EXECUTE FUNCTION consent_record_guard()""",
    """CREATE TRIGGER consent_wording_guard BEFORE UPDATE OR DELETE ON consent_consentwording
    FOR EACH ROW EXECUTE FUNCTION consent_wording_guard()""",
    """CREATE TRIGGER consent_record_no_truncate BEFORE TRUNCATE ON consent_consentrecord
    FOR EACH STATEMENT EXECUTE FUNCTION consent_truncate_guard()""",
    """CREATE TRIGGER consent_wording_no_truncate BEFORE TRUNCATE ON consent_consentwording
    FOR EACH STATEMENT EXECUTE FUNCTION consent_truncate_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS consent_wording_no_truncate ON consent_consentwording",
    "DROP TRIGGER IF EXISTS consent_record_no_truncate ON consent_consentrecord",
    "DROP TRIGGER IF EXISTS consent_wording_guard ON consent_consentwording",
    "DROP TRIGGER IF EXISTS consent_record_guard ON consent_consentrecord",
    "DROP FUNCTION IF EXISTS consent_truncate_guard()",
    "DROP FUNCTION IF EXISTS consent_wording_guard()",
    "DROP FUNCTION IF EXISTS consent_record_guard()",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_wording_required"),
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
            elidable=False,
        ),
    ]
