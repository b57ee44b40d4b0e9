"""Consent records: append-only proof, wording stored once, state derived from history."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.consent.models import AppendOnlyError, ConsentRecord, ConsentWording
from clientela.consent.services import (
    current_consents,
    issue_token,
    object_to_marketing,
    record_consent,
    store_wording,
    suppress,
)
from clientela.core.errors import Conflict, Invalid
from clientela.interactions.services import timeline
from tests import factories
from tests.consent.conftest import WORDING, grant, withdraw

pytestmark = pytest.mark.django_db


def test_a_consent_record_cannot_be_changed_by_saving_it() -> None:
    record = grant(factories.make_party())
    record.status = "withdrawn"
    with pytest.raises(AppendOnlyError):
        record.save()
    assert ConsentRecord.objects.get(pk=record.pk).status == "granted"


def test_a_consent_record_cannot_be_deleted() -> None:
    record = grant(factories.make_party())
    with pytest.raises(AppendOnlyError):
        record.delete()
    assert ConsentRecord.objects.filter(pk=record.pk).exists()


def test_consent_records_cannot_be_changed_or_deleted_in_bulk() -> None:
    record = grant(factories.make_party())
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).update(status="withdrawn")
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.get(pk=record.pk).status == "granted"


def test_a_party_with_consent_records_cannot_be_deleted() -> None:
    from django.db.models import ProtectedError

    party = factories.make_party()
    grant(party)
    with pytest.raises(ProtectedError):
        party.delete()


def test_the_same_wording_is_stored_once_and_found_by_its_hash() -> None:
    import hashlib

    first = store_wording(WORDING, version="v1")
    again = store_wording(f"  {WORDING}\n", version="v1")
    assert first.pk == again.pk
    assert first.sha256 == hashlib.sha256(WORDING.encode()).hexdigest()
    assert ConsentWording.objects.count() == 1


def test_a_grant_keeps_its_proof() -> None:
    record = grant(factories.make_party(), "newsletter")
    record.refresh_from_db()
    assert record.wording is not None
    assert record.wording.text == WORDING
    assert record.ip_address == "203.0.113.7"
    assert record.user_agent == "TestBrowser/1.0"
    assert record.source == "web_form"
    assert record.legal_basis == "consent"


def test_a_grant_by_consent_without_wording_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        record_consent(
            factories.make_party(),
            purpose="marketing",
            channel="email",
            status="granted",
            source="api",
        )
    assert caught.value.errors[0].field == "wording"


def test_profiling_consent_is_for_any_channel_only() -> None:
    with pytest.raises(Invalid) as caught:
        record_consent(
            factories.make_party(),
            purpose="profiling",
            channel="email",
            status="withdrawn",
            source="api",
        )
    assert caught.value.errors[0].field == "channel"


def test_transactional_is_not_a_consent_purpose() -> None:
    with pytest.raises(Invalid):
        withdraw(factories.make_party(), "transactional")


def test_the_latest_record_is_the_current_state() -> None:
    party = factories.make_party()
    grant(party, "newsletter")
    withdraw(party, "newsletter")
    grant(party, "surveys", "sms")
    state = current_consents(party)
    assert state[("newsletter", "email")].status == "withdrawn"
    assert state[("surveys", "sms")].status == "granted"


def test_a_backdated_grant_does_not_override_a_later_withdrawal() -> None:
    party = factories.make_party()
    withdraw(party, "newsletter")
    record_consent(
        party,
        purpose="newsletter",
        channel="email",
        status="granted",
        source="import",
        wording=store_wording(WORDING),
        at=timezone.now() - timedelta(days=30),
    )
    assert current_consents(party)[("newsletter", "email")].status == "withdrawn"


def test_a_grant_for_a_suppressed_address_is_refused_from_imports_and_the_api() -> None:
    party = factories.make_party(email="gone@example.com")
    suppress("email", "gone@example.com", reason="complaint")
    for source in ("import", "api", "staff"):
        with pytest.raises(Conflict):
            record_consent(
                party,
                purpose="marketing",
                channel="email",
                status="granted",
                source=source,
                wording=store_wording(WORDING),
            )
    assert not ConsentRecord.objects.filter(party=party).exists()


def test_consent_changes_appear_on_the_party_timeline() -> None:
    party = factories.make_party()
    record = grant(party, "newsletter")
    entries, _cursor = timeline(party, kinds=frozenset({"consent"}))
    assert [(e.kind, e.id, e.data["status"]) for e in entries] == [
        ("consent", record.pk, "granted")
    ]


def test_every_record_carries_a_wording_hash_withdrawals_included(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    withdraw(party, "surveys", "sms")  # staff, no wording given
    token = issue_token(party, purpose="unsubscribe", list_purpose="newsletter")
    assert Client().post(f"/unsubscribe/{token}/").status_code == 200
    object_to_marketing(party, source="privacy_request", actor=admin)
    response = api_client(admin).post(
        f"/api/v1/parties/{party.pk}/consents",
        {
            "purpose": "greetings",
            "channel": "post",
            "status": "granted",
            "source": "staff",
            "legal_basis": "legitimate_interest",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["wording"]["sha256"]
    records = list(ConsentRecord.objects.filter(party=party).select_related("wording"))
    assert len(records) > 5
    for record in records:
        assert record.wording is not None
        assert record.wording.sha256 == hashlib.sha256(record.wording.text.encode()).hexdigest()
    unsubscribed = next(r for r in records if r.source == "unsubscribe_link")
    assert unsubscribed.wording is not None
    assert unsubscribed.wording.text == "Stop receiving Newsletter messages by e-mail?"


def test_the_database_refuses_a_record_without_a_wording() -> None:
    from django.db import IntegrityError, transaction

    party = factories.make_party()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            party=party,
            purpose="surveys",
            channel="sms",
            status="withdrawn",
            legal_basis="consent",
            source="api",
        )
