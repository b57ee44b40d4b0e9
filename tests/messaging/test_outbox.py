"""Queueing: one row per (source, party, channel), set-based, idempotent, in the caller's
transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from clientela.core.errors import Invalid
from clientela.messaging.models import Message, SourceKind
from clientela.messaging.services import Content, enqueue, enqueue_many
from tests.factories import make_party

pytestmark = pytest.mark.django_db(transaction=True)

NEWS = Content(subject="News", body_text="Hello")


def test_a_source_queues_each_party_once_even_when_run_again() -> None:
    ids = [make_party(email=f"p{i}@example.com").pk for i in range(5)]
    with transaction.atomic():
        assert (
            enqueue_many(ids[:3], "email", "marketing", SourceKind.CAMPAIGN, 7, content=NEWS) == 3
        )
    with transaction.atomic():
        assert enqueue_many(ids, "email", "marketing", SourceKind.CAMPAIGN, 7, content=NEWS) == 2
    assert Message.objects.filter(source_id=7).count() == 5
    assert len(set(Message.objects.values_list("token", flat=True))) == 5


def test_one_message_for_a_source_is_the_same_row_the_second_time() -> None:
    party = make_party(email="ana@example.com")
    first = enqueue(party, "email", "marketing", SourceKind.JOURNEY, 3, content=NEWS)
    second = enqueue(party, "email", "marketing", SourceKind.JOURNEY, 3, content=NEWS)
    assert first.pk == second.pk
    assert Message.objects.count() == 1


def test_queued_rows_go_with_a_rolled_back_transaction() -> None:
    ids = [make_party(email=f"p{i}@example.com").pk for i in range(3)]

    def start_then_fail() -> None:
        with transaction.atomic():
            enqueue_many(ids, "email", "marketing", SourceKind.CAMPAIGN, 9, content=NEWS)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        start_then_fail()
    assert Message.objects.count() == 0


def test_a_wrong_channel_and_purpose_are_named() -> None:
    party = make_party(email="ana@example.com")
    with pytest.raises(Invalid) as refused:
        enqueue(party, "pigeon", "gossip", SourceKind.STAFF, content=NEWS)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("channel", "message_channel_invalid"),
        ("purpose", "message_purpose_invalid"),
    ]
