"""Privacy requests: export, erasure (down to the database file), objection, the queue."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest

from clientela.accounts.models import User
from clientela.consent.models import (
    ConsentRecord,
    Preferences,
    PreferenceToken,
    PrivacyRequest,
    SuppressedContact,
)
from clientela.consent.services import (
    act_on_request,
    erase_party,
    export_party,
    issue_token,
    may_contact,
    open_request,
    record_consent,
    store_wording,
    write_archive,
)
from clientela.consent.services.privacy import one_month_after
from clientela.core.errors import Conflict, Forbidden, Invalid
from clientela.interactions.models import Interaction
from clientela.parties.models import ContactPoint, Party, PartyChange
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import create_party
from tests import factories
from tests.consent.conftest import grant

pytestmark = pytest.mark.django_db
NAME, EMAIL, PHONE = ("Zebulon", "Quixwort"), "zebulon.quixwort@example.org", "+351913579246"


def person(by: User) -> Party:
    """A person created through the party service, so that the change log holds their data."""
    data = PartyCreate.model_validate(
        {
            "kind": "person",
            "given_name": NAME[0],
            "family_name": NAME[1],
            "notes": f"Prefers calls; {NAME[0]} is a regular",
            "roles": [{"role": "customer"}],
            "contact_points": [
                {"kind": "email", "value": EMAIL},
                {"kind": "phone", "value": PHONE},
            ],
            "key_dates": [{"kind": "birthday", "year": 1980, "month": 5, "day": 17}],
        }
    )
    party = create_party(data, by=by)
    factories.make_interaction(party, subject=f"Call with {NAME[0]}", notes=f"Mail {EMAIL}")
    factories.make_order(party, total="120.00")
    grant(party, "newsletter")
    Preferences.objects.create(party=party, max_per_week=2)
    issue_token(party, purpose="preferences")
    return party


def test_a_request_is_due_one_calendar_month_after_it_arrives() -> None:
    assert one_month_after(datetime(2025, 1, 31, 9, tzinfo=UTC)) == datetime(
        2025, 2, 28, 9, tzinfo=UTC
    )
    assert one_month_after(datetime(2025, 12, 5, tzinfo=UTC)) == datetime(2026, 1, 5, tzinfo=UTC)


def test_the_export_holds_everything_about_the_party(admin: User) -> None:
    party = person(admin)
    data = export_party(party)
    assert data["profile"]["given_name"] == NAME[0]
    assert {p["value"] for p in data["contact_points"]} == {EMAIL, PHONE}
    assert data["orders"][0]["total"] == "120.00"
    assert data["interactions"][0]["subject"] == f"Call with {NAME[0]}"
    assert data["consents"][0]["wording"].startswith("Yes, send me offers")
    assert data["preferences"]["max_per_week"] == 2
    assert data["purchase_summary"]["orders"] == 1
    assert data["changes"][0]["action"] == "created"


def test_the_archive_has_json_and_a_csv_per_section_with_formulas_neutralised(
    admin: User,
) -> None:
    party = person(admin)
    Party.objects.filter(pk=party.pk).update(notes="=HYPERLINK(evil)")
    party.refresh_from_db()
    buffer = io.BytesIO()
    write_archive(party, buffer)
    archive = zipfile.ZipFile(buffer)
    names = set(archive.namelist())
    assert {"data.json", "profile.csv", "orders.csv", "consents.csv", "interactions.csv"} <= names
    assert json.loads(archive.read("data.json"))["profile"]["notes"] == "=HYPERLINK(evil)"
    assert "'=HYPERLINK(evil)" in archive.read("profile.csv").decode()


def test_erasure_removes_personal_data_from_every_table_and_keeps_aggregates(
    admin: User,
) -> None:
    party = person(admin)
    erase_party(party, by=admin)
    party.refresh_from_db()
    assert (party.given_name, party.family_name, party.notes, party.search_text) == ("", "", "", "")
    assert party.display_name == f"[erased {party.pk}]"
    assert not ContactPoint.objects.filter(party=party).exists()
    assert not party.key_dates.exists()
    interaction = Interaction.objects.get(party=party)
    assert (interaction.subject, interaction.notes) == ("", "")
    assert all(
        NAME[0] not in json.dumps(c.changes) for c in PartyChange.objects.filter(party=party)
    )
    record = ConsentRecord.objects.get(party=party)
    assert (record.ip_address, record.user_agent) == (None, "")
    assert not Preferences.objects.filter(party=party).exists()
    assert not PreferenceToken.objects.filter(party=party).exists()
    assert str(party.orders.get().total) == "120.00"
    assert party.roles.filter(role="customer").exists()
    assert SuppressedContact.objects.filter(reason="erased", value="").count() == 2
    assert PrivacyRequest.objects.get(party=party).status == "completed"


def test_re_importing_an_erased_e_mail_does_not_restore_marketing_consent(
    admin: User,
) -> None:
    erase_party(person(admin), by=admin)
    with pytest.raises(Invalid) as caught:  # no staff door makes the person again
        create_party(
            PartyCreate.model_validate(
                {
                    "kind": "person",
                    "given_name": "Z",
                    "roles": [{"role": "customer"}],
                    "contact_points": [{"kind": "email", "value": EMAIL.upper()}],
                }
            ),
            by=admin,
        )
    assert caught.value.code == "party_kept_out"
    # An address that reaches a party another way (an update, say) is still never contacted.
    again = factories.make_party(email=EMAIL)
    decision = may_contact(again, purpose="marketing", channel="email")
    assert (decision.allowed, decision.reason) == (False, "suppressed")
    with pytest.raises(Conflict):
        record_consent(
            again,
            purpose="marketing",
            channel="email",
            status="granted",
            source="import",
            wording=store_wording("imported consent"),
        )


def test_an_erased_party_cannot_be_erased_twice_or_granted_anything(admin: User) -> None:
    party = person(admin)
    erase_party(party, by=admin)
    with pytest.raises(Conflict):
        erase_party(party, by=admin)
    with pytest.raises(Conflict):
        grant(party, "surveys", "post")


def test_only_managers_and_admins_act_on_requests(sales_a: User, manager: User) -> None:
    party = factories.make_party(email="ana@example.com", owner=sales_a)
    request = open_request(party, kind="access", channel="staff", by=sales_a)
    with pytest.raises(Forbidden):
        act_on_request(request, action="complete", by=sales_a)
    act_on_request(request, action="complete", by=manager)
    request.refresh_from_db()
    assert (request.status, request.handled_by) == ("completed", manager)


def test_a_viewer_cannot_log_a_request(viewer: User) -> None:
    with pytest.raises(Forbidden):
        open_request(factories.make_party(), kind="access", channel="staff", by=viewer)


def test_completing_an_objection_stops_all_direct_marketing(manager: User) -> None:
    party = factories.make_party(email="ana@example.com", phone="+351912345678")
    grant(party, "newsletter", "sms")
    assert may_contact(party, purpose="marketing", channel="email").reason == "soft_opt_in"
    request = open_request(party, kind="objection", channel="staff", by=manager)
    act_on_request(request, action="complete", by=manager)
    for purpose, channel in (("marketing", "email"), ("newsletter", "sms")):
        assert may_contact(party, purpose=purpose, channel=channel).reason == "withdrawn"
    assert may_contact(party, purpose="transactional", channel="email").allowed


def test_a_rejection_needs_a_reason(manager: User) -> None:
    request = open_request(factories.make_party(), kind="erasure", channel="staff", by=manager)
    with pytest.raises(Invalid):
        act_on_request(request, action="reject", by=manager, note=" ")
    act_on_request(request, action="reject", by=manager, note="identity not verified")
    assert request.status == "rejected"
    with pytest.raises(Conflict):
        act_on_request(request, action="complete", by=manager)


def test_completing_an_erasure_request_erases_the_party(manager: User) -> None:
    party = person(manager)
    request = open_request(party, kind="erasure", channel="preference_centre")
    act_on_request(request, action="complete", by=manager)
    party.refresh_from_db()
    assert party.given_name == ""
    assert request.status == "completed"
    assert PrivacyRequest.objects.filter(party=party).count() == 1


def test_the_export_names_who_recorded_each_consent_and_its_wording(admin: User) -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party)  # self-service: nobody on the staff recorded it
    record_consent(
        party, purpose="surveys", channel="sms", status="withdrawn", source="staff", actor=admin
    )
    consents = export_party(party)["consents"]
    assert [(c["source"], c["actor"]) for c in consents] == [
        ("web_form", ""),
        ("staff", str(admin)),
    ]
    assert all(len(c["wording_sha256"]) == 64 for c in consents)
