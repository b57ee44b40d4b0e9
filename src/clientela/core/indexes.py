"""Secondary indexes set aside for a bulk write and built again after it, in one transaction.

Building an index once over a million rows costs a fraction of keeping it up to date a row at
a time. Inside the writer's transaction readers never see an index missing, and a rollback
brings the dropped ones back.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def drop_secondary_indexes(cursor: Any, table: str, *, keep_unique: bool = False) -> list[str]:
    """Drop the table's indexes other than its primary key (and its unique ones, with
    `keep_unique`); returns the statements, as the database keeps them, that build them again."""
    if connection.vendor == "sqlite":
        cursor.execute(
            "SELECT m.name, m.sql FROM pragma_index_list(%s) AS i"
            " JOIN sqlite_master AS m ON m.type = 'index' AND m.name = i.name"
            ' WHERE m.sql IS NOT NULL AND NOT (%s AND i."unique")',
            [table, keep_unique],
        )
    else:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
            " AND indexname NOT LIKE %s AND NOT (%s AND indexdef LIKE %s)",
            [table, "%_pkey", keep_unique, "CREATE UNIQUE %"],
        )
    indexes = cursor.fetchall()
    for name, _create in indexes:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [create for _name, create in indexes]
