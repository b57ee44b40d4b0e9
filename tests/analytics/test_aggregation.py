"""The two ways of summing up purchase histories (NumPy, one SQL statement) give the same."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from django.db import connection

from clientela.analytics.services import aggregation
from clientela.analytics.services.refresh import refresh_metrics
from clientela.commerce.models import OrderStatus
from tests.analytics.conftest import AS_OF, Crowd, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db
FIELDS = ("party_id", "occasions", "first_day", "last_day", "total", "first_value")


def test_numpy_and_the_sql_statement_give_the_same_histories(crowd: Crowd) -> None:
    crowd(25, seed=3)
    buy(make_party(), date(2024, 5, 5), total="7.77", status=OrderStatus.REFUNDED)
    until = connection.ops.adapt_datetimefield_value(aggregation.end_of(AS_OF))
    by_numpy = aggregation._histories_in_numpy(until, "EUR", [])
    by_sql = aggregation._histories_in_sql(until, "EUR", [])
    assert by_numpy is not None
    assert by_numpy.party_id.size == 25
    for name in FIELDS:
        assert np.array_equal(getattr(by_numpy, name), getattr(by_sql, name)), name


def test_party_ids_too_big_to_pack_are_summed_up_by_the_sql_statement() -> None:
    big = make_party(pk=aggregation.PARTY_LIMIT + 7)
    small = make_party()
    buy(big, date(2024, 3, 1), date(2024, 3, 1), date(2024, 9, 1), total="10.05")
    buy(small, date(2024, 6, 1), total="3.00")
    hist = aggregation.purchase_histories(as_of=AS_OF, currency="EUR")
    found = {
        int(party): (int(n), float(total), float(first))
        for party, n, total, first in zip(
            hist.party_id, hist.occasions, hist.total, hist.first_value, strict=True
        )
    }
    assert hist.party_id.tolist() == sorted(found)  # ascending, as the NumPy way gives them
    assert found == {small.pk: (1, 3.0, 3.0), big.pk: (2, 30.15, 20.1)}
    run = refresh_metrics(as_of=AS_OF)
    assert run.customers == 2
