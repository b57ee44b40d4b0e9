"""The two ways of summing up purchase histories (NumPy, one SQL statement) give the same,
conversion and the orders no rate converts included."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from django.db import connection

from clientela.analytics.services import aggregation, order_reading
from clientela.analytics.services.refresh import refresh_metrics
from clientela.commerce.models import OrderStatus
from clientela.commerce.queries import rate_bases
from tests.analytics.conftest import AS_OF, Crowd, buy
from tests.factories import make_party, make_rate

pytestmark = pytest.mark.django_db
FIELDS = ("party_id", "occasions", "first_day", "last_day", "total", "first_value")
UNCONVERTED = ("unconverted_party_id", "unconverted_orders")


def test_numpy_and_the_sql_statement_give_the_same_histories(crowd: Crowd) -> None:
    people = crowd(25, seed=3)
    buy(make_party(), date(2024, 5, 5), total="7.77", status=OrderStatus.REFUNDED)
    make_rate(date(2024, 3, 1), "USD", "1.0837")
    for n, party in enumerate(people[:8]):  # converted: the same day as others, or a day alone
        buy(party, date(2024, 3, 4 + n % 3), total=f"{n}3.33", currency="USD")
    buy(people[0], date(2024, 6, 1), total="5.00", currency="GBP")  # no rate: left out
    buy(people[3], date(2024, 6, 2), date(2024, 6, 3), total="5.00", currency="GBP")
    buy(make_party(), date(2024, 6, 2), total="5.00", currency="GBP")  # nothing else bought
    until = connection.ops.adapt_datetimefield_value(aggregation.end_of(AS_OF))
    by_numpy = aggregation._histories_in_numpy(until, "EUR", rate_bases())
    by_sql = aggregation._histories_in_sql(until, "EUR", rate_bases())
    assert by_numpy is not None
    assert by_numpy.party_id.size == 25
    for name in FIELDS + UNCONVERTED:
        assert np.array_equal(getattr(by_numpy, name), getattr(by_sql, name)), name
    assert by_numpy.excluded_orders == by_sql.excluded_orders == 4
    assert by_numpy.unconverted_orders.tolist() == [1, 2, 1]
    assert (by_numpy.readers, by_sql.readers) == (1, 1)  # few orders: one connection reads


def test_some_parties_histories_are_theirs_in_the_whole(crowd: Crowd) -> None:
    people = crowd(12, seed=5)
    make_rate(date(2024, 3, 1), "USD", "1.0837")
    buy(people[2], date(2024, 3, 4), total="13.33", currency="USD")
    buy(people[5], date(2024, 6, 1), total="5.00", currency="GBP")
    whole = aggregation.purchase_histories(as_of=AS_OF, currency="EUR")
    ids = [people[2].pk, people[5].pk, people[7].pk]
    some = aggregation.purchase_histories(as_of=AS_OF, currency="EUR", party_ids=ids)
    rows = np.isin(whole.party_id, ids)
    for name in FIELDS:
        assert np.array_equal(getattr(some, name), getattr(whole, name)[rows]), name
    assert some.unconverted_party_id.tolist() == [people[5].pk]
    assert (some.excluded_orders, some.unconverted, some.readers) == (1, (), 1)


def test_party_ids_too_big_to_pack_are_summed_up_by_the_sql_statement() -> None:
    big = make_party(pk=order_reading.PARTY_LIMIT + 7)
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
    assert hist.readers == 1
    run = refresh_metrics(as_of=AS_OF)
    assert run.customers == 2
