"""An erasure keeps a person's messages as a record that they were sent, without their words or
address, and stops what is still waiting in the outbox."""

from __future__ import annotations

import pytest

from clientela.consent.services import erase_party
from clientela.messaging.models import Message, MessageState, SourceKind
from clientela.parties.models import Party
from tests.factories import make_party


def _message(party: Party, token: str, state: str) -> Message:
    return Message.objects.create(
        party=party,
        channel="email",
        purpose="marketing",
        source_kind=SourceKind.STAFF,
        token=token,
        state=state,
        address="ana.silva@example.pt",
        subject="Ana, your order",
        body_html="<p>Dear Ana Silva</p>",
        body_text="Dear Ana Silva",
        provider_id="<abc@example.pt>",
    )


@pytest.mark.django_db
def test_an_erasure_blanks_the_words_and_cancels_what_waits() -> None:
    party, other = make_party(), make_party()
    _message(party, "t-sent", MessageState.SENT)
    _message(party, "t-queued", MessageState.QUEUED)
    _message(other, "t-other", MessageState.QUEUED)
    erase_party(party, by=None)
    sent, queued = Message.objects.get(token="t-sent"), Message.objects.get(token="t-queued")
    for message in (sent, queued):
        assert (message.address, message.subject, message.body_html, message.body_text) == (
            "",
            "",
            "",
            "",
        )
    assert (sent.state, sent.provider_id) == (MessageState.SENT, "<abc@example.pt>")
    assert (queued.state, queued.reason) == (MessageState.CANCELLED, "erased")
    untouched = Message.objects.get(token="t-other")
    assert (untouched.state, untouched.subject) == (MessageState.QUEUED, "Ana, your order")
