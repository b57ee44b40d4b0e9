"""Bounces and complaints on the customer's timeline (page and API), in the access export, and
gone with an erasure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.consent.services.export import sections
from clientela.consent.services.privacy import erase_party
from clientela.interactions.services import timeline
from clientela.messaging.models import DeliveryReport
from clientela.messaging.services.bounces import ingest_report
from clientela.messaging.services.report_history import DELIVERY_REPORT
from tests.factories import make_party
from tests.messaging.helpers import sent_message
from tests.messaging.samples import arf, postfix

pytestmark = pytest.mark.django_db

ANA = "ana@example.org"


def bounced_and_complained() -> tuple[int, int]:
    party = make_party(email=ANA)
    sent_message(party, "histtoken01")
    sent_message(party, "histtoken02")
    ingest_report(
        postfix(
            "histtoken01",
            ANA,
            action="failed",
            status="5.1.1",
            diag="550 5.1.1 User unknown",
            orig_rcpt=False,
        ).encode(),
        source="mbox",
    )
    ingest_report(
        postfix(
            "histtoken02", ANA, action="delayed", status="4.4.1", diag="421 later", orig_rcpt=False
        ).encode(),
        source="mbox",
    )
    ingest_report(
        arf("histtoken02", ANA, provider="yahoo", feedback_type="abuse", rcpt_header=True).encode(),
        source="imap",
    )
    return party.pk, DeliveryReport.objects.count()


def test_the_timeline_shows_bounces_and_complaints_but_not_delays() -> None:
    party_id, kept = bounced_and_complained()
    assert kept == 3
    from clientela.parties.models import Party

    entries, _cursor = timeline(Party.objects.get(pk=party_id), kinds=frozenset({DELIVERY_REPORT}))
    assert [(e.title, e.data["status"]) for e in entries] == [
        ("Spam complaint", "complaint"),
        ("Hard bounce", "hard"),
    ]
    assert entries[1].body == "5.1.1 550 5.1.1 User unknown"
    assert entries[1].data["effects"] == ["message_bounced", "suppressed"]
    email_only, _ = timeline(Party.objects.get(pk=party_id), channels=frozenset({"sms"}))
    assert not [e for e in email_only if e.kind == DELIVERY_REPORT]


def test_the_customer_page_shows_the_bounce_in_its_timeline(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    party_id, _ = bounced_and_complained()
    body = web_client(admin).get(f"/parties/{party_id}/").content.decode()
    assert "Bounce or complaint" in body
    assert "Hard bounce" in body
    assert "Spam complaint" in body


def test_the_api_timeline_lists_the_reports(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    party_id, _ = bounced_and_complained()
    answer = api_client(admin).get(f"/api/v1/parties/{party_id}/timeline?kind={DELIVERY_REPORT}")
    assert answer.status_code == 200, answer.content
    kinds = [item["data"]["status"] for item in answer.json()["items"]]
    assert kinds == ["complaint", "hard"]


def test_the_access_export_lists_the_reports() -> None:
    party_id, _ = bounced_and_complained()
    from clientela.parties.models import Party

    found = dict(sections(Party.objects.get(pk=party_id)))
    rows = found["delivery_reports"]
    assert isinstance(rows, list)
    assert sorted(row["kind"] for row in rows) == ["complaint", "delay", "hard"]
    assert {row["address"] for row in rows} == {ANA}


def test_an_erasure_deletes_the_reports_about_the_person_even_those_naming_no_message() -> None:
    party_id, _ = bounced_and_complained()
    ingest_report(
        postfix(
            "notourtoken",
            ANA,
            action="failed",
            status="5.1.1",
            diag="550 5.1.1 gone",
            orig_rcpt=False,
        ).encode(),
        source="mbox",
    )
    other = make_party(email="other@example.org")
    ingest_report(
        postfix(
            "othertoken1",
            "other@example.org",
            action="failed",
            status="5.1.1",
            diag="550 5.1.1 gone",
            orig_rcpt=False,
        ).encode(),
        source="mbox",
    )
    from clientela.parties.models import Party

    erase_party(Party.objects.get(pk=party_id), by=None)
    assert list(DeliveryReport.objects.values_list("recipient", flat=True)) == ["other@example.org"]
    assert other.pk
