from __future__ import annotations

import pytest

from clientela.interactions.models import AppendOnlyError, Interaction
from tests.factories import make_interaction, make_party


@pytest.mark.django_db
def test_a_bulk_update_of_interactions_is_refused_and_changes_nothing() -> None:
    interaction = make_interaction(make_party(), subject="Asked for a refund")
    with pytest.raises(AppendOnlyError):
        Interaction.objects.filter(pk=interaction.pk).update(subject="Edited away")
    interaction.refresh_from_db()
    assert interaction.subject == "Asked for a refund"


@pytest.mark.django_db
def test_a_bulk_delete_of_interactions_is_refused_and_keeps_the_rows() -> None:
    party = make_party()
    make_interaction(party)
    with pytest.raises(AppendOnlyError):
        Interaction.objects.filter(party=party).delete()
    assert Interaction.objects.filter(party=party).count() == 1


@pytest.mark.django_db
def test_erasure_may_blank_the_text_of_interactions() -> None:
    interaction = make_interaction(make_party(), subject="Call from Ana", notes="lives at …")
    Interaction.objects.filter(pk=interaction.pk).erase_text(subject="", notes="")
    interaction.refresh_from_db()
    assert (interaction.subject, interaction.notes) == ("", "")
