"""Corrections: a new entry pointing at the one it corrects, from the timeline and the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.interactions.models import Interaction
from clientela.interactions.schemas import InteractionCorrection
from clientela.interactions.services import correct_interaction, timeline
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
ApiClient = Callable[[User], Client]


def fix(**fields: str) -> InteractionCorrection:
    return InteractionCorrection.model_validate(
        {"channel": "phone", "direction": "inbound", **fields}
    )


def test_a_correction_of_a_correction_keeps_every_entry_and_points_back(admin: User) -> None:
    party = factories.make_party()
    first = factories.make_interaction(party, subject="Called about the invoce")
    second = correct_interaction(first, fix(subject="Called about the invoice"), by=admin)
    third = correct_interaction(second, fix(subject="Called about invoice 7"), by=admin)

    assert (second.corrects_id, third.corrects_id) == (first.pk, second.pk)
    assert Interaction.objects.get(pk=first.pk).subject == "Called about the invoce"  # stays
    assert second.occurred_at == first.occurred_at  # not said: the corrected contact's time
    entries, _next = timeline(party)
    data = {e.id: e.data for e in entries}
    assert data[first.pk]["corrected_by_id"] == second.pk
    assert data[second.pk]["corrected_by_id"] == third.pk
    assert data[third.pk]["corrected_by_id"] is None
    assert data[third.pk]["corrects_id"] == second.pk


def test_the_correction_form_is_filled_with_the_entry(sales_a: User, web_client: WebClient) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)
    entry = factories.make_interaction(
        party, subject="Asked for <b>samples</b>", notes="Two boxes", outcome="Sent"
    )

    response = web_client(sales_a).get(f"/interactions/{entry.pk}/correct/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Asked for &lt;b&gt;samples&lt;/b&gt;"' in body
    assert ">Two boxes</textarea>" in body
    assert 'enctype="multipart/form-data"' in body


def test_saving_the_correction_form_logs_a_new_entry_and_the_timeline_shows_both(
    sales_a: User, web_client: WebClient
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)
    entry = factories.make_interaction(party, subject="Wrong subject", notes="Wrong notes")
    client = web_client(sales_a)

    response = client.post(
        f"/interactions/{entry.pk}/correct/",
        {
            "channel": "email",
            "direction": "outbound",
            "occurred_at": "2024-05-02T10:30",
            "subject": "Right subject",
            "notes": "Right notes",
            "outcome": "",
        },
    )

    fixed = Interaction.objects.get(corrects=entry)
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{party.pk}/#interaction-{fixed.pk}"
    assert (fixed.subject, fixed.channel, fixed.staff) == ("Right subject", "email", sales_a)
    page = client.get(f"/parties/{party.pk}/").content.decode()
    assert f'id="interaction-{entry.pk}"' in page
    assert "entry-interaction entry-corrected" in page
    assert "entry-interaction entry-correction" in page
    assert f'<a href="#interaction-{fixed.pk}">see the correction</a>' in page
    assert f'Correction of <a href="#interaction-{entry.pk}">“Wrong subject”</a>' in page
    assert page.count(f'href="/interactions/{fixed.pk}/correct/"') == 1


def test_an_empty_correction_is_refused_and_nothing_is_written(
    admin: User, web_client: WebClient
) -> None:
    entry = factories.make_interaction(factories.make_party(), subject="Call")

    response = web_client(admin).post(
        f"/interactions/{entry.pk}/correct/", {"channel": "phone", "direction": "inbound"}
    )

    assert response.status_code == 422
    assert "say what happened" in response.content.decode()
    assert Interaction.objects.count() == 1


def test_only_writers_who_see_the_party_may_correct(
    sales_a: User, sales_b: User, viewer: User, web_client: WebClient
) -> None:
    entry = factories.make_interaction(
        factories.make_party(owner=sales_a, team=sales_a.team), subject="Call"
    )
    data = {"channel": "phone", "direction": "inbound", "subject": "Fixed"}

    assert web_client(sales_b).get(f"/interactions/{entry.pk}/correct/").status_code == 404
    assert web_client(sales_b).post(f"/interactions/{entry.pk}/correct/", data).status_code == 404
    assert web_client(viewer).post(f"/interactions/{entry.pk}/correct/", data).status_code == 403
    viewer_page = web_client(viewer).get(f"/parties/{entry.party_id}/").content.decode()
    assert "/correct/" not in viewer_page
    assert Interaction.objects.count() == 1


def test_the_api_corrects_an_interaction_and_shows_the_chain(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    entry = factories.make_interaction(
        factories.make_party(owner=sales_a, team=sales_a.team), subject="Call"
    )
    client = api_client(sales_a)
    body = {"channel": "email", "direction": "inbound", "subject": "E-mail, not a call"}

    response = client.post(
        f"/api/v1/interactions/{entry.pk}/corrections", body, content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    fixed = response.json()
    assert (fixed["corrects_id"], fixed["channel"]) == (entry.pk, "email")
    detail = client.get(f"/api/v1/interactions/{entry.pk}").json()
    assert (detail["subject"], detail["corrected_by_ids"]) == ("Call", [fixed["id"]])
    hidden = api_client(sales_b).post(
        f"/api/v1/interactions/{entry.pk}/corrections", body, content_type="application/json"
    )
    assert (hidden.status_code, hidden.json()["code"]) == (404, "interaction_not_found")
    refused = client.post(
        f"/api/v1/interactions/{entry.pk}/corrections",
        {**body, "party_id": 99},
        content_type="application/json",
    )
    assert refused.status_code == 422  # no mass assignment: the party is the entry's
