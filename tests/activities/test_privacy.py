"""A person's activities in the privacy export, gone with an erasure; on the timeline's labels."""

from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityEvent
from clientela.activities.schemas import ActivityComplete
from clientela.activities.services import complete_activity
from clientela.consent.services import erase_party
from clientela.consent.services.archive import export_party
from clientela.core.registries import TIMELINE_LABELS
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from tests.activities.conftest import plan


@pytest.mark.django_db
def test_the_privacy_export_holds_the_persons_activities(sales_a: User, party_a: Party) -> None:
    plan(party_a, sales_a, title="Call Ana about her knee", notes="She mentioned surgery")
    data = export_party(party_a)
    (row,) = data["activities"]
    assert (row["title"], row["notes"], row["status"]) == (
        "Call Ana about her knee",
        "She mentioned surgery",
        "open",
    )


@pytest.mark.django_db
def test_an_erasure_deletes_the_persons_activities_and_their_timeline_steps(
    sales_a: User, party_a: Party
) -> None:
    done = plan(party_a, sales_a, title="Call Ana Silva")
    complete_activity(done, ActivityComplete(outcome="Ana said yes"), by=sales_a)
    plan(party_a, sales_a, title="Visit Ana Silva")
    erase_party(party_a, by=None)
    assert Activity.objects.count() == 0
    assert ActivityEvent.objects.count() == 0
    interaction = Interaction.objects.get()  # the contact stays, without its words
    assert (interaction.subject, interaction.outcome) == ("", "")


def test_the_timeline_names_activity_entries() -> None:
    labels = TIMELINE_LABELS["activity"]
    assert str(labels.kind) == "Activity"
    assert str(labels.channels["follow_up"]) == "Follow-up"
    assert str(labels.statuses["done"]) == "Done"
