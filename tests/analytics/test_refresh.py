"""The refresh: what it computes for each party, what it records, and what it refuses."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pytest_django.fixtures import Settings as SettingsWrapper

from clientela.accounts.services import forget_company_settings
from clientela.analytics.models import CustomerMetrics, LifecycleChange, RefreshRun
from clientela.analytics.services.order_reading import UnreadableValue
from clientela.analytics.services.refresh import refresh_metrics
from clientela.commerce.models import OrderStatus
from clientela.interactions.services import timeline
from clientela.parties.models import Party
from tests.analytics.conftest import AS_OF, Crowd, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db


def metrics_of(party: Party) -> CustomerMetrics:
    return CustomerMetrics.objects.get(party=party)


def test_orders_on_the_same_day_are_one_purchase_occasion() -> None:
    party = make_party()
    buy(party, date(2024, 3, 1), date(2024, 3, 1), date(2024, 6, 1), total="10.00")
    refresh_metrics(as_of=AS_OF)
    m = metrics_of(party)
    assert (m.occasions, m.frequency, m.monetary) == (2, 1, Decimal("30.00"))
    assert m.average_repeat_value == Decimal("10.00")  # the repeat occasion only


def test_recency_tenure_and_span_count_whole_days_to_the_as_of_day() -> None:
    party = make_party()
    buy(party, date(2024, 1, 1), date(2024, 12, 1))
    refresh_metrics(as_of=AS_OF)
    m = metrics_of(party)
    assert (m.recency_days, m.tenure_days, m.active_span_days) == (30, 365, 335)
    assert (m.first_purchase_at, m.last_purchase_at) == (date(2024, 1, 1), date(2024, 12, 1))


def test_refunded_and_cancelled_orders_do_not_count() -> None:
    party = make_party()
    buy(party, date(2024, 5, 1), total="80.00")
    buy(party, date(2024, 6, 1), total="500.00", status=OrderStatus.REFUNDED)
    buy(party, date(2024, 7, 1), total="300.00", status=OrderStatus.CANCELLED)
    refresh_metrics(as_of=AS_OF)
    m = metrics_of(party)
    assert (m.occasions, m.monetary, m.last_purchase_at) == (1, Decimal("80.00"), date(2024, 5, 1))


def test_an_order_no_rate_converts_is_left_out_counted_and_named(
    settings: SettingsWrapper,
) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = "EUR"
    forget_company_settings()
    party = make_party()
    buy(party, date(2024, 5, 1), total="20.00")
    buy(party, date(2024, 6, 1), total="999.00", currency="USD")
    run = refresh_metrics(as_of=AS_OF)
    assert metrics_of(party).monetary == Decimal("20.00")
    assert metrics_of(party).unconverted_orders == 1
    assert run.excluded_orders == 1
    assert run.unconverted == [
        {
            "currency": "USD",
            "orders": 1,
            "value": 999.0,
            "first_day": "2024-06-01",
            "last_day": "2024-06-01",
        }
    ]


def test_as_of_ignores_later_orders() -> None:
    party = make_party()
    buy(party, date(2024, 3, 1), date(2024, 9, 1), date(2025, 1, 5))
    refresh_metrics(as_of=date(2024, 9, 1))
    m = metrics_of(party)
    assert (m.occasions, m.last_purchase_at, m.recency_days) == (2, date(2024, 9, 1), 0)
    assert m.as_of == date(2024, 9, 1)


def test_a_party_without_purchases_has_a_potential_row() -> None:
    party = make_party(roles=("prospect",))
    refresh_metrics(as_of=AS_OF)
    m = metrics_of(party)
    assert (m.lifecycle_state, m.occasions, m.r_score, m.rfm_segment) == ("potential", 0, None, "")


def test_archived_parties_get_no_metrics() -> None:
    party = make_party(archived_at=timezone.now())
    buy(party, date(2024, 3, 1))
    refresh_metrics(as_of=AS_OF)
    assert not CustomerMetrics.objects.filter(party=party).exists()


def test_a_refresh_fits_the_models_and_fills_every_customers_value(crowd: Crowd) -> None:
    parties = crowd(40)
    run = refresh_metrics(as_of=AS_OF)
    assert run.bgnbd is not None
    assert run.gamma_gamma is not None
    assert run.customers == 40
    rows = CustomerMetrics.objects.filter(party__in=parties)
    assert rows.count() == 40
    for m in rows:
        assert m.p_alive is not None
        assert 0 <= m.p_alive <= 1
        assert m.expected_purchases is not None
        assert m.expected_purchases >= 0
        assert m.clv is not None
        assert m.clv >= 0
        assert m.tier in {"platinum", "gold", "silver", "bronze"}
        assert m.r_score is not None
        assert 1 <= m.r_score <= 5
        assert m.rfm_segment


def test_tiers_follow_the_lifetime_value(crowd: Crowd) -> None:
    crowd(40)
    refresh_metrics(as_of=AS_OF)
    rows = list(CustomerMetrics.objects.exclude(tier="").order_by("-clv"))
    assert rows[0].tier == "platinum"
    assert rows[-1].tier == "bronze"


def test_each_change_of_state_is_recorded_and_shown_on_the_timeline() -> None:
    party = make_party()
    refresh_metrics(as_of=date(2024, 1, 1))
    buy(party, date(2024, 1, 10))
    refresh_metrics(as_of=date(2024, 1, 15))
    change = LifecycleChange.objects.get(party=party)
    assert (change.from_state, change.to_state, change.as_of) == (
        "potential",
        "new",
        date(2024, 1, 15),
    )
    entries, _cursor = timeline(
        party, kinds=frozenset({"lifecycle"}), channels=frozenset(), cursor=None, limit=10
    )
    assert [e.data["to_state"] for e in entries] == ["new"]
    assert "New" in entries[0].title


def test_an_unchanged_state_records_nothing() -> None:
    party = make_party()
    buy(party, date(2024, 1, 10))
    refresh_metrics(as_of=date(2024, 1, 15))
    refresh_metrics(as_of=date(2024, 1, 16))
    assert not LifecycleChange.objects.filter(party=party).exists()


def test_a_lost_customer_who_buys_again_is_reactivated() -> None:
    party = make_party()
    buy(party, date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1))
    refresh_metrics(as_of=date(2024, 6, 1))
    assert metrics_of(party).lifecycle_state == "lost"
    buy(party, date(2024, 6, 10))
    refresh_metrics(as_of=date(2024, 6, 11))
    assert metrics_of(party).lifecycle_state == "reactivated"
    assert list(
        LifecycleChange.objects.filter(party=party).values_list("from_state", "to_state")
    ) == [("lost", "reactivated")]


def test_a_back_test_of_an_earlier_day_leaves_the_history_alone() -> None:
    party = make_party()
    refresh_metrics(as_of=date(2024, 1, 1))
    buy(party, date(2024, 1, 10))
    refresh_metrics(as_of=date(2024, 1, 15))
    refresh_metrics(as_of=date(2024, 1, 2))
    assert LifecycleChange.objects.filter(party=party).count() == 1
    assert metrics_of(party).lifecycle_state == "potential"


def test_every_refresh_is_recorded_with_its_timings() -> None:
    refresh_metrics(as_of=AS_OF)
    run = RefreshRun.objects.get()
    assert set(run.timings) == {
        "aggregate",
        "score_fit_predict",
        "lifecycle",
        "write",
        "write_indexes",
        "order_readers",
    }
    assert run.timings["order_readers"] == 1  # no orders: one connection reads


def test_the_number_of_queries_does_not_grow_with_the_customers(crowd: Crowd) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    crowd(5, seed=1)
    refresh_metrics(as_of=date(2024, 12, 30))
    with CaptureQueriesContext(connection) as few:
        refresh_metrics(as_of=AS_OF)
    crowd(30, seed=2)
    with CaptureQueriesContext(connection) as many:
        refresh_metrics(as_of=AS_OF)
    assert len(many) <= len(few) + 2  # + at most the batched inserts of lifecycle changes
    assert len(many) < 60


def test_a_refresh_after_days_without_orders_moves_customers_along() -> None:
    party = make_party()
    buy(party, date(2024, 1, 1), date(2024, 1, 11), date(2024, 1, 21))
    refresh_metrics(as_of=date(2024, 1, 22))
    assert metrics_of(party).lifecycle_state == "active"
    refresh_metrics(as_of=date(2024, 1, 22) + timedelta(days=200))
    assert metrics_of(party).lifecycle_state == "lost"
    assert LifecycleChange.objects.get(party=party).to_state == "lost"


def test_a_deleted_party_takes_its_metrics_row_with_it() -> None:
    # The table has no foreign-key constraint in the database (see CustomerMetrics.party):
    # Django's CASCADE is what removes the row.
    kept, gone = make_party(), make_party()
    buy(gone, date(2024, 3, 1))
    refresh_metrics(as_of=AS_OF)
    gone.delete()
    assert list(CustomerMetrics.objects.values_list("party", flat=True)) == [kept.pk]


@pytest.mark.skipif(
    "os.environ.get('CLIENTELA_DATABASE_URL', '').startswith('postgres')",
    reason="PostgreSQL's typed column cannot hold such a value",
)
def test_an_order_time_sqlite_cannot_read_stops_the_refresh_with_a_clear_error() -> None:
    from django.db import connection

    from clientela.commerce.models import Order

    buy(make_party(), date(2024, 3, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commerce_order SET ordered_at = '2024-3-1 noon' WHERE id = %s",
            [Order.objects.get().pk],
        )
    with pytest.raises(UnreadableValue, match=r"ordered_at: an order with an id from 0 to \d+"):
        refresh_metrics(as_of=AS_OF)
    assert not CustomerMetrics.objects.exists()


def test_an_unreadable_value_survives_the_trip_back_from_the_second_reader() -> None:
    problem = UnreadableValue("order_time_unreadable", _("from %(first)s"), first=0, last=9)
    again = pickle.loads(pickle.dumps(problem))  # noqa: S301  (our own object, just made)
    assert (again.code, again.params, str(again)) == (problem.code, problem.params, "from 0")


@pytest.mark.skipif(
    "os.environ.get('CLIENTELA_DATABASE_URL', '').startswith('postgres')",
    reason="PostgreSQL's typed column cannot hold such a value",
)
def test_the_time_of_an_order_in_another_currency_is_read_too() -> None:
    """Its day chooses its exchange rate: a time that is not one is refused, named."""
    from django.db import connection

    from clientela.commerce.models import Order

    party = make_party()
    buy(party, date(2024, 3, 1))
    buy(party, date(2024, 4, 1), currency="USD")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commerce_order SET ordered_at = '2024-4-1 noon' WHERE id = %s",
            [Order.objects.get(currency="USD").pk],
        )
    with pytest.raises(UnreadableValue) as raised:
        refresh_metrics(as_of=AS_OF)
    assert raised.value.code == "order_time_unreadable"
