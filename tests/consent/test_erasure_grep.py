"""After an erasure, the person's name is in no table, no column, no page of the database.

The person's name is written into every free-text column the product lets it reach — the
party, its addresses, dates and affiliation, an interaction, an order line, a consent
wording and record, the contact log, a privacy request, preferences, a pending sign-up, a
merged duplicate, the admin log — then `clientela privacy erase` runs, and every row of
every table is read back and searched. On SQLite the database image (free pages included)
is searched too, after the purge that follows the erasure.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from clientela.accounts.models import User
from clientela.commerce.models import OrderLine
from clientela.consent.models import SignupRequest
from clientela.consent.schemas import PreferencesIn
from clientela.consent.services import (
    Proof,
    open_request,
    record_consent,
    record_contact,
    store_wording,
    update_preferences,
)
from clientela.consent.services.keys import keyed_digest
from clientela.dedupe.services import merge_parties
from clientela.parties.models import Party
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import create_party
from tests import factories

GIVEN, FAMILY = "Zebulon", "Quixwort"
EMAIL, PHONE = "zebulon.quixwort@example.org", "+351913579246"
SECRETS = ("zebulon", "quixwort", "913579246")


def _person(admin: User) -> Party:
    """The person, with their name in every free-text column a feature lets it reach."""
    org = factories.make_party(kind="organization", organization_name="Acme")
    data = PartyCreate.model_validate(
        {
            "kind": "person",
            "given_name": GIVEN,
            "family_name": FAMILY,
            "external_id": f"{FAMILY}-1",
            "notes": f"{GIVEN} prefers calls",
            "contact_points": [
                {"kind": "email", "value": EMAIL, "label": f"{GIVEN}'s mail"},
                {"kind": "phone", "value": PHONE, "label": f"{GIVEN}'s mobile"},
                {"kind": "address", "value": f"1 {FAMILY} Lane", "street": f"1 {FAMILY} Lane"},
            ],
            "key_dates": [{"kind": "custom", "label": f"{GIVEN}'s wedding", "month": 5, "day": 1}],
            "affiliations": [{"organization_id": org.pk, "title": f"{FAMILY}'s own desk"}],
        }
    )
    party = create_party(data, by=admin)
    factories.make_interaction(
        party, subject=f"Call with {GIVEN}", notes=f"Mail {EMAIL}", outcome=f"{FAMILY} happy"
    )
    order = factories.make_order(party)
    OrderLine.objects.create(
        order=order,
        sku=f"MUG-{FAMILY}",
        product=f"Mug engraved {GIVEN}",
        category=f"Gifts for {FAMILY}",
        quantity=1,
        unit_price=10,
    )
    wording = store_wording(f"I, {GIVEN} {FAMILY}, agree to the newsletter.", version=FAMILY)
    record_consent(
        party,
        purpose="newsletter",
        channel="email",
        status="granted",
        source="staff",
        wording=wording,
        actor=admin,
        note=f"{GIVEN} said yes on the phone",
        proof=Proof(ip="203.0.113.9", user_agent=f"{GIVEN}Browser/1.0"),
    )
    record_contact(party, purpose="newsletter", channel="email", reference=f"Hi {GIVEN}")
    open_request(party, kind="access", channel="staff", by=admin, note=f"{GIVEN} phoned")
    update_preferences(party, PreferencesIn(topics=[GIVEN.lower()]), replace=False)
    SignupRequest.objects.create(
        email=EMAIL,
        email_digest=keyed_digest(EMAIL, scope="signup"),
        name=f"{GIVEN} {FAMILY}",
        purposes=["surveys"],
        wording=wording,
        token_digest="t" * 64,
        ip_digest="i" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )
    LogEntry.objects.create(
        user=admin,
        content_type=ContentType.objects.get_for_model(Party),
        object_id=str(party.pk),
        object_repr=f"{GIVEN} {FAMILY}",
        action_flag=CHANGE,
        change_message=f"Changed {GIVEN}",
    )
    duplicate = factories.make_party(given_name=GIVEN, family_name=FAMILY, notes=f"{FAMILY}!")
    merge_parties(party, duplicate, by=admin)
    return party


def _rows_naming_the_person() -> list[str]:
    """Every table, every column: the rows that still hold one of the secrets."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  (every table's own name)
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = str(value).lower()
                    found += [f"{table}.{column}: {s}" for s in SECRETS if s in text]
    return found


@pytest.mark.django_db(transaction=True)
def test_an_erased_person_is_in_no_column_of_any_table_nor_in_the_file() -> None:
    admin = User.objects.create_user("admin@example.com", "a long password 1234", role="admin")
    with transaction.atomic():
        party = _person(admin)
    before = _rows_naming_the_person()
    reached = {hit.split(":")[0] for hit in before}
    assert len(reached) >= 30, sorted(reached)  # the test did reach that many columns

    call_command("privacy", "erase", str(party.pk), "--yes")

    assert _rows_naming_the_person() == []
    if connection.vendor == "sqlite":
        image = connection.connection.serialize().lower()  # every page, free ones included
        assert [s for s in SECRETS if s.encode() in image] == []
