"""The gate at claim time: an RFC 8058 one-click unsubscribe that commits while a send is
under way stops every message to that party from then on."""

from __future__ import annotations

import pytest
from django.test import Client

from clientela.consent.models import TokenPurpose
from clientela.consent.services import issue_token
from clientela.messaging.models import Message, SourceKind
from clientela.messaging.services import Content, MemorySender, SendResult, enqueue_many
from clientela.messaging.services.channels import SENDERS, register_sender
from clientela.messaging.services.delivery import drain
from tests.consent.conftest import grant
from tests.factories import make_party

pytestmark = pytest.mark.django_db


class UnsubscribingSender(MemorySender):
    """Sends; while sending the `at`-th message, the party `who` unsubscribes by POST."""

    def __init__(self, *, at: int, token: str) -> None:
        super().__init__()
        self.at = at
        self.token = token

    def send(self, message: Message) -> SendResult:
        result = super().send(message)
        if len(self.sent) == self.at:
            answer = Client().post(
                f"/unsubscribe/{self.token}/",
                "List-Unsubscribe=One-Click",
                content_type="application/x-www-form-urlencoded",
            )
            assert answer.status_code == 200, answer.content
        return result


def test_an_unsubscribe_committed_mid_send_stops_the_rest_to_that_party() -> None:
    parties = [make_party(email=f"p{i}@example.com") for i in range(10)]
    for party in parties:
        grant(party)
    late = parties[7]
    token = issue_token(late, purpose=TokenPurpose.UNSUBSCRIBE, list_purpose="marketing")
    content = Content(subject="Offer", body_text="Half price.")
    enqueue_many(
        [p.pk for p in parties], "email", "marketing", SourceKind.CAMPAIGN, 1, content=content
    )
    sender = UnsubscribingSender(at=3, token=token)
    before = dict(SENDERS)
    register_sender("email", lambda: sender)
    try:
        drain()
    finally:
        SENDERS.clear()
        SENDERS.update(before)
    assert late.pk not in {m.party_id for m in sender.sent}
    assert len(sender.sent) == 9
    stopped = Message.objects.get(party=late)
    assert (stopped.state, stopped.reason) == ("skipped", "withdrawn")
