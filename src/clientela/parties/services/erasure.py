"""Erasure of what the parties app keeps about a person (registered as the last eraser)."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from clientela.core.registries import blank_text
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDate,
    Party,
    PartyAlias,
    PartyChange,
)

# What the party row keeps: its kind and level are not personal.
PARTY_KEEPS = frozenset({"kind", "organization_level"})


def erased_columns() -> tuple[str, ...]:
    """The "table.column" of every free-text column `erase_party_data` blanks or deletes."""
    blanked = [(Party, name) for name in blank_text(Party, keep=set(PARTY_KEEPS))]
    deleted = [
        (model, name)
        for model in (ContactPoint, KeyDate, Affiliation, PartyAlias)
        for name in blank_text(model, keep=set())
    ]
    logged = [(PartyChange, "changes"), (LogEntry, "object_repr"), (LogEntry, "change_message")]
    return tuple(f"{model._meta.db_table}.{name}" for model, name in (*blanked, *deleted, *logged))


def erase_party_data(party: Party) -> None:
    """Remove the person's contact points, dates, affiliations, tags, names, external-id
    aliases and change log.

    The party row stays (orders and other history still point at it), archived and named
    "[erased ID]"; its kind and organisation level are not personal and are kept. Runs after
    every other eraser, which may still need the person's addresses to find them.
    """
    now = timezone.now()
    ContactPoint.objects.filter(party=party).delete()
    KeyDate.objects.filter(party=party).delete()
    PartyAlias.objects.filter(party=party).delete()
    Affiliation.objects.filter(person=party).delete()
    party.tags.clear()
    Party.objects.filter(pk=party.pk).update(
        **{
            **blank_text(Party, keep=set(PARTY_KEEPS)),
            "display_name": f"[erased {party.pk}]",
        },
        archived_at=party.archived_at or now,
        updated_at=now,
    )
    PartyChange.objects.filter(party=party).update(changes={})
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Party), object_id=str(party.pk)
    ).update(object_repr="", change_message="")
