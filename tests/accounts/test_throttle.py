"""The one throttle: per account and per address, a Retry-After that is true, keys hashed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.accounts.models import ThrottleHit
from clientela.accounts.services import Limit, count_hit, count_request, refuse_if_throttled
from clientela.core.errors import Throttled

pytestmark = pytest.mark.django_db
LIMIT = Limit(per_account=3, per_address=5, seconds=600)
DOOR = "test_door"


def _hits(n: int, *, address: str, account: str | None = None) -> None:
    for _ in range(n):
        count_hit(DOOR, address=address, account=account)


def _refused(*, address: str, account: str | None = None) -> Throttled | None:
    try:
        refuse_if_throttled(DOOR, address=address, account=account, limit=LIMIT)
    except Throttled as exc:
        return exc
    return None


def test_an_account_is_throttled_whatever_address_the_guesses_come_from() -> None:
    for n in range(3):
        assert _refused(address=f"198.51.100.{n}", account="ana@example.com") is None
        _hits(1, address=f"198.51.100.{n}", account="ana@example.com")

    refused = _refused(address="203.0.113.1", account="ANA@example.com ")

    assert refused is not None
    assert refused.status == 429
    assert refused.code == "throttled"
    assert _refused(address="203.0.113.1", account="bea@example.com") is None


def test_an_address_is_throttled_whatever_account_it_tries() -> None:
    for n in range(5):
        _hits(1, address="198.51.100.7", account=f"user{n}@example.com")

    assert _refused(address="198.51.100.7", account="new@example.com") is not None
    assert _refused(address="198.51.100.8", account="new@example.com") is None


def test_retry_after_is_when_the_oldest_counted_hit_leaves_the_window() -> None:
    _hits(3, address="198.51.100.7", account="ana@example.com")
    ThrottleHit.objects.update(at=timezone.now() - timedelta(seconds=500))

    refused = _refused(address="192.0.2.1", account="ana@example.com")

    assert refused is not None
    assert 95 <= refused.retry_after <= 100
    assert refused.headers == {"Retry-After": str(refused.retry_after)}
    assert refused.params == {"seconds": refused.retry_after}


def test_hits_outside_the_window_no_longer_count() -> None:
    _hits(3, address="198.51.100.7", account="ana@example.com")
    ThrottleHit.objects.update(at=timezone.now() - timedelta(seconds=601))

    assert _refused(address="198.51.100.7", account="ana@example.com") is None


def test_a_door_that_counts_every_request_lets_the_limit_through_then_refuses() -> None:
    limit = Limit(per_account=0, per_address=2, seconds=60)
    for _ in range(2):
        count_request(DOOR, address="198.51.100.7", limit=limit)

    with pytest.raises(Throttled):
        count_request(DOOR, address="198.51.100.7", limit=limit)
    assert ThrottleHit.objects.count() == 2  # the refused request is not counted


def test_doors_are_counted_apart() -> None:
    _hits(5, address="198.51.100.7")

    with pytest.raises(Throttled):
        refuse_if_throttled(DOOR, address="198.51.100.7", limit=LIMIT)
    refuse_if_throttled("other_door", address="198.51.100.7", limit=LIMIT)


def test_neither_the_address_nor_the_email_is_stored() -> None:
    _hits(1, address="198.51.100.7", account="ana@example.com")

    keys = list(ThrottleHit.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all(len(key) == 64 and "198.51" not in key and "ana" not in key for key in keys)


def test_hits_older_than_a_day_are_forgotten() -> None:
    _hits(2, address="198.51.100.7")
    ThrottleHit.objects.update(at=timezone.now() - timedelta(days=1, seconds=1))

    _hits(1, address="198.51.100.8")

    assert ThrottleHit.objects.count() == 1
