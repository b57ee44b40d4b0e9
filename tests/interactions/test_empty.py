"""An interaction that says nothing is refused on every door: the page, the API, imports; one
that another system recorded (it has an external id: a phone system's call log) stands for a
contact that happened, words or not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.imports.services import ImportOptions, import_file
from clientela.interactions.models import Interaction
from clientela.interactions.schemas import InteractionCreate
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
EMPTY = {
    "channel": "phone",
    "direction": "inbound",
    "occurred_at": "",
    "subject": " ",
    "notes": "\n",
    "outcome": "",
}


def test_an_empty_log_form_is_refused_beside_the_subject_and_nothing_is_written(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()

    response = web_client(admin).post(
        "/interactions/new/", {"party_id": str(party.pk), **EMPTY}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="log-subject-error"' in body
    assert "say what happened: give a subject, notes or an outcome" in body
    assert not Interaction.objects.exists()


def test_an_empty_interaction_is_refused_by_the_api_naming_the_field(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    party = factories.make_party()
    body = {"party_id": party.pk, "channel": "email", "direction": "inbound", "notes": "   "}

    response = api_client(admin).post("/api/v1/interactions", body, content_type="application/json")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("subject", "interaction_empty")
    assert not Interaction.objects.exists()


def test_one_of_subject_notes_or_outcome_is_enough() -> None:
    for text in ({"subject": "Hi"}, {"notes": "Called back"}, {"outcome": "Sold"}):
        data = InteractionCreate.model_validate(
            {"party_id": 1, "channel": "phone", "direction": "inbound", **text}
        )
        assert data.channel == "phone"


@pytest.mark.parametrize("header", ["party_external_id", "party_email"])
def test_an_import_row_that_says_nothing_is_refused(
    admin: User, tmp_path: Path, header: str
) -> None:
    ref = "C1" if header == "party_external_id" else "ana@example.com"
    factories.make_party(external_id="C1", email="ana@example.com")
    path = tmp_path / "i.csv"
    path.write_text(
        f"{header},channel,direction,occurred_at,subject\n"
        f"{ref},phone,inbound,2024-03-01T10:00:00Z,\n"
        f"{ref},phone,inbound,2024-03-01T11:00:00Z,Called back\n"
    )

    summary = import_file(path, options=ImportOptions(kind="interactions"), by=admin)

    assert [(p.row, p.column, p.code) for p in summary.problems] == [
        (2, "subject", "interaction_empty")
    ]
    assert not Interaction.objects.exists()  # all or nothing


def test_another_systems_record_without_words_is_kept(
    admin: User, tmp_path: Path, api_client: Callable[[User], Client]
) -> None:
    party = factories.make_party(external_id="C1")
    path = tmp_path / "calls.csv"
    path.write_text(
        "external_id,party_external_id,channel,direction,occurred_at,subject\n"
        "CALL-1,C1,phone,inbound,2024-03-01T10:00:00Z,\n"
    )
    summary = import_file(path, options=ImportOptions(kind="interactions"), by=admin)
    assert (summary.created, summary.problems) == (1, [])
    body = {
        "party_id": party.pk,
        "channel": "phone",
        "direction": "outbound",
        "external_id": "CALL-2",
    }
    answer = api_client(admin).post("/api/v1/interactions", body, content_type="application/json")
    assert answer.status_code == 201
    assert set(Interaction.objects.values_list("external_id", flat=True)) == {"CALL-1", "CALL-2"}
