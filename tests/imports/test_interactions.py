from __future__ import annotations

import pytest

from clientela.interactions.models import Interaction
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer


@pytest.mark.django_db
def test_interactions_are_logged_on_the_party_found_by_e_mail(
    write: Writer, run_import: Importer
) -> None:
    party = make_party(email="ana@example.com")
    path = write(
        "i.csv",
        "E-mail,Canal,Direction,Data,Assunto\n"
        "ana@example.com,phone,inbound,2024-03-01T10:00:00Z,Asked about delivery\n",
    )
    summary = run_import("interactions", path)
    assert summary.created == 1, summary.problems
    item = Interaction.objects.get()
    assert (item.party, item.channel, item.subject) == (party, "phone", "Asked about delivery")


@pytest.mark.django_db
def test_interactions_without_an_external_id_are_not_logged_twice(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "i.csv",
        "customer_id,channel,direction,occurred_at,subject\n"
        "C1,email,outbound,2024-03-01T10:00:00Z,Welcome\n",
    )
    run_import("interactions", path)
    again = run_import("interactions", path)
    assert (again.created, again.unchanged) == (0, 1)
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_channel_is_a_row_problem(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write("i.csv", "customer_id,channel,direction\nC1,pigeon,inbound\n")
    summary = run_import("interactions", path)
    assert summary.problems[0].column == "channel"
    assert Interaction.objects.count() == 0
