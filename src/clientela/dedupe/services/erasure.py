"""Erasure of what the merges keep about a person (registered as the eraser "dedupe").

A merge keeps the merged party's whole record as it was (its snapshot) and its name; both are
the same person as the survivor, so erasing the survivor blanks them and erases the parties
app's data of the merged party too (still archived under its own id). Erasing a merged party
blanks the merges it was part of. Which fields were chosen from which side, and how many rows
moved, stay: they name nobody.
"""

from __future__ import annotations

from django.db.models import Q

from clientela.dedupe.models import MergeRecord
from clientela.parties.models import Party
from clientela.parties.services.erasure import erase_party_data

# The free-text columns this eraser blanks ("table.column").
COLUMNS = (
    f"{MergeRecord._meta.db_table}.merged_name",
    f"{MergeRecord._meta.db_table}.snapshot",
)


def erase_merges(party: Party) -> None:
    """Blank the merges into and of the party; erase the parties merged into it."""
    merges = MergeRecord.objects.filter(Q(survivor=party) | Q(merged_party_id=party.pk))
    merged = set(
        MergeRecord.objects.filter(survivor=party).values_list("merged_party_id", flat=True)
    )
    merges.update(merged_name="", snapshot={})
    for other in Party.objects.filter(pk__in=merged - {party.pk}).order_by("pk"):
        erase_party_data(other)
