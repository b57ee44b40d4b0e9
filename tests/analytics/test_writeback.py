"""The write-back's conversions from NumPy arrays to the values SQL is given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services.refresh import refresh_metrics
from clientela.analytics.services.writeback import dates, integers, nullable
from tests.analytics.conftest import AS_OF, buy
from tests.factories import make_party


def test_nullable_rounds_and_gives_none_for_nan() -> None:
    assert nullable([1.005, np.nan, 2.25, -0.5], digits=1) == [1.0, None, 2.2, -0.5]
    values = nullable(np.array([0.125, np.nan]))
    assert values == [0.125, None]
    assert isinstance(values[0], float)


def test_integers_truncate_towards_zero_and_give_none_for_nan() -> None:
    values = integers(np.array([3.0, np.nan, -2.7, 1e12]))
    assert values == [3, None, -2, 10**12]
    assert all(isinstance(v, int) for v in values if v is not None)


def test_dates_are_iso_text_with_none_for_the_missing_day() -> None:
    days = np.array([0, -1, 20_000, 19_999, 0])
    assert dates(days, missing=-1) == [
        "1970-01-01",
        None,
        "2024-10-04",
        "2024-10-03",
        "1970-01-01",
    ]
    # Few parties over many centuries: formatted one by one instead of from a table.
    assert dates(np.array([-700_000, 2_000_000])) == ["0053-06-19", "7445-10-25"]  # by datetime
    assert dates(np.array([-1, -1]), missing=-1) == [None, None]
    assert dates(np.array([], dtype=np.int64)) == []


@pytest.mark.django_db
def test_a_written_row_holds_every_column_and_the_table_keeps_its_shape() -> None:
    """SQLite inserts, PostgreSQL copies with the one-value columns as passing defaults: either
    way the rows are whole, the indexes are back, and no default is left on the table."""
    party = make_party()
    buy(party, date(2024, 3, 1), date(2024, 6, 1), total="12.34")
    table = CustomerMetrics._meta.db_table
    with connection.cursor() as cursor:
        before = connection.introspection.get_constraints(cursor, table)
    refresh_metrics(as_of=AS_OF)
    m = CustomerMetrics.objects.get(party=party)
    assert (m.as_of, m.currency, m.monetary, m.occasions) == (AS_OF, "EUR", Decimal("24.68"), 2)
    assert m.computed_at is not None
    assert m.state_since == AS_OF  # a first refresh: every state starts on its day
    with connection.cursor() as cursor:
        assert connection.introspection.get_constraints(cursor, table) == before
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = %s AND column_default IS NOT NULL",
                [table],
            )
            assert cursor.fetchall() == []
