"""drop_secondary_indexes: a table's indexes set aside and built again, the same as before."""

from __future__ import annotations

import pytest
from django.db import connection

from clientela.core.indexes import drop_secondary_indexes

pytestmark = pytest.mark.django_db


def index_names(table: str) -> dict[str, bool]:
    """Each index of the table (primary key left out) and whether it is unique."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: c["unique"] for name, c in found.items() if c["index"] and not c["primary_key"]}


@pytest.mark.parametrize(
    ("table", "keep_unique"), [("commerce_order", True), ("analytics_customermetrics", False)]
)
def test_the_indexes_come_back_as_they_were(table: str, keep_unique: bool) -> None:
    before = index_names(table)
    with connection.cursor() as cursor:
        statements = drop_secondary_indexes(cursor, table, keep_unique=keep_unique)
    left = index_names(table)
    assert left == {name: True for name, unique in before.items() if unique and keep_unique}
    assert len(statements) == len(before) - len(left) > 0
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    assert index_names(table) == before
