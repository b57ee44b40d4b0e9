"""Use cases for the timeline: log an interaction, correct one, read a party's history.

Attachments (files sent with an interaction) are in `services.attachments`; contacts a party
starts on an automatic channel (an inbound SMS), logged without staff, in `services.inbound`.
"""

from __future__ import annotations

from datetime import datetime
from heapq import merge
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import Conflict, Invalid, NotFound, invalid, unavailable
from clientela.core.ids import is_id
from clientela.core.pagination import decode_cursor, encode_cursor
from clientela.core.registries import blank_text
from clientela.core.timeline import SOURCES, Entry, register_source, source_rows
from clientela.interactions.bulk import BulkInteractions, Checked, differs
from clientela.interactions.models import Attachment, Channel, Interaction
from clientela.interactions.schemas import InteractionCorrection, InteractionCreate
from clientela.interactions.services.attachments import ERASED_COLUMNS as ATTACHMENT_COLUMNS
from clientela.interactions.services.attachments import erase_attachments
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_parties

INTERACTION = "interaction"


def log_interaction(data: InteractionCreate, *, by: User) -> tuple[Interaction, bool]:
    """Record a contact on the party's timeline; an external id already seen changes nothing.

    Returns the interaction and whether it was created now.
    """
    require_write(by)
    party = get_visible_party(by, data.party_id)
    if data.external_id:
        existing = Interaction.objects.filter(external_id=data.external_id).first()
        if existing is not None:
            if existing.party_id != party.pk and not _sees(by, existing.party_id):
                raise Invalid(unavailable("external_id", data.external_id))  # not revealed
            if not _is_same(existing, data, party):
                raise Conflict(
                    _("this external id is already used by a different interaction"),
                    code="interaction_external_id_taken",
                    params={"external_id": data.external_id},
                )
            return existing, False
    corrects = None
    if data.corrects_id is not None:
        corrects = Interaction.objects.filter(pk=data.corrects_id, party=party).first()
        if corrects is None:
            raise invalid(
                "corrects_id",
                data.corrects_id,
                _("is not an interaction of this party"),
                code="interaction_not_of_party",
            )
    occurred_at = data.occurred_at or timezone.now()
    interaction = Interaction.objects.create(
        party=party,
        channel=data.channel,
        direction=data.direction,
        occurred_at=occurred_at,
        staff=by,
        subject=data.subject,
        notes=data.notes,
        outcome=data.outcome,
        corrects=corrects,
        external_id=data.external_id or None,
        created_by=by,
    )
    return interaction, True


def get_visible_interaction(user: User, interaction_id: int) -> Interaction:
    """The interaction, if its party is one the user may see; else NotFound (not revealed)."""
    found = None
    if is_id(interaction_id):
        found = (
            Interaction.objects.filter(pk=interaction_id, party__in=visible_parties(user))
            .select_related("party")
            .first()
        )
    if found is None:
        raise NotFound(
            _("interaction %(id)s not found"),
            code="interaction_not_found",
            params={"id": interaction_id},
        )
    return found


def correct_interaction(
    original: Interaction, data: InteractionCorrection, *, by: User
) -> Interaction:
    """Log the entry as it should have been, pointing at the one it corrects; the original
    stays on the timeline (append-only). A correction of a correction is a correction too.
    The caller found `original` among the interactions `by` may see."""
    content = data.model_dump()
    if content["occurred_at"] is None:  # not said: when the corrected contact took place
        content["occurred_at"] = original.occurred_at
    fixed = InteractionCreate.model_construct(
        **content, party_id=original.party_id, corrects_id=original.pk, external_id=None
    )
    interaction, _created = log_interaction(fixed, by=by)
    return interaction


def corrections_of(ids: list[int]) -> dict[int, list[int]]:
    """The ids of the entries that correct each of these interactions, oldest first."""
    found: dict[int, list[int]] = {}
    rows = Interaction.objects.filter(corrects_id__in=ids).order_by("id")
    for corrects_id, pk in rows.values_list("corrects_id", "id"):
        found.setdefault(corrects_id, []).append(pk)
    return found


def related_entries(ids: set[int | None]) -> dict[int, dict[str, Any]]:
    """For the timeline's "corrected by" and "correction of": each interaction's anchor on
    the page, its title, and when and by whom it was logged (one query)."""
    wanted = sorted(i for i in ids if isinstance(i, int))
    if not wanted:
        return {}
    rows = Interaction.objects.filter(pk__in=wanted).values_list(
        "id", "subject", "channel", "created_at", "created_by__full_name", "created_by__email"
    )
    return {
        pk: {
            "id": pk,
            "anchor": f"#interaction-{pk}",
            "title": subject or str(_CHANNEL_LABELS.get(channel, channel)),
            "at": created_at,
            "by": name or email or "",
        }
        for pk, subject, channel, created_at, name, email in rows
    }


def _sees(user: User, party_id: int) -> bool:
    return visible_parties(user).filter(pk=party_id).exists()


def _is_same(existing: Interaction, data: InteractionCreate, party: Party) -> bool:
    """Whether a re-sent interaction says what the recorded one says (time only if sent):
    the rule of the bulk path too (`bulk.differs`)."""
    stored = Checked(*(getattr(existing, name) for name in Checked._fields))
    incoming = Checked(
        data.external_id or "",
        party.pk,
        data.channel,
        data.direction,
        data.occurred_at,
        data.subject,
        data.notes,
        data.outcome,
        data.corrects_id,
    )
    return not differs(stored, incoming)


def open_interaction_writer(
    *, by: User, keeps_undo: bool = False, check_only: bool = False
) -> BulkInteractions:
    """The set-based writer of many checked interactions (an import's), acting for `by`.

    Refuses a user who may not write. Runs inside the caller's transaction. `check_only`
    judges the rows without writing them (a dry run); `keeps_undo`: the caller commits as it
    goes (slices, SQLite) and journals how to take each slice back (`take_undo`).
    """
    require_write(by)
    return BulkInteractions(
        by=by, visible=visible_parties(by), keeps_undo=keeps_undo, check_only=check_only
    )


def list_interactions(
    user: User, *, party_id: int | None = None, channel: str = "", direction: str = ""
) -> QuerySet[Interaction]:
    """Interactions of the parties this user may see, newest first."""
    rows = Interaction.objects.filter(party__in=visible_parties(user))
    if party_id is not None:
        rows = rows.filter(party_id=party_id)
    if channel:
        rows = rows.filter(channel=channel)
    if direction:
        rows = rows.filter(direction=direction)
    return rows.order_by("-occurred_at", "-id")


def _interaction_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    rows = source_rows(
        INTERACTION,
        _rows_of_party,
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="occurred_at",
        fields=(
            "id",
            "occurred_at",
            "subject",
            "channel",
            "direction",
            "notes",
            "outcome",
            "corrects_id",
            "staff__full_name",
            "staff__email",
            "corrected_by_id",
            "has_attachments",
        ),
    )
    return [
        interaction_entry(
            pk=pk,
            at=at,
            subject=subject,
            channel=channel,
            direction=direction,
            notes=notes,
            outcome=outcome,
            corrects_id=corrects_id,
            actor=staff_name or staff_email or "",  # str(staff): full name, else e-mail
            corrected_by_id=corrected_by_id,
            has_attachments=has_attachments,
        )
        for (
            pk,
            at,
            subject,
            channel,
            direction,
            notes,
            outcome,
            corrects_id,
            staff_name,
            staff_email,
            corrected_by_id,
            has_attachments,
        ) in rows
    ]


def _rows_of_party(party_id: int) -> QuerySet[Interaction]:
    """A party's interactions, each with its latest correction and whether it has files:
    two subqueries on indexed columns inside the one query of the timeline's page."""
    latest_fix = Interaction.objects.filter(corrects=OuterRef("pk")).order_by("-id")
    return Interaction.objects.filter(party_id=party_id).annotate(
        corrected_by_id=Subquery(latest_fix.values("id")[:1]),
        has_attachments=Exists(Attachment.objects.filter(interaction=OuterRef("pk"))),
    )


_CHANNEL_LABELS = dict(Channel.choices)  # lazy labels: translated when str() is called


def interaction_entry(
    *,
    pk: int,
    at: datetime,
    subject: str,
    channel: str,
    direction: str,
    notes: str,
    outcome: str,
    corrects_id: int | None,
    actor: str,
    corrected_by_id: int | None = None,
    has_attachments: bool = False,
) -> Entry:
    """An interaction as a timeline entry: what the timeline shows and the page adds live.

    `corrects_id`: the entry this one corrects; `corrected_by_id`: the latest entry that
    corrects this one (the timeline shows it as corrected)."""
    return Entry(
        kind=INTERACTION,
        id=pk,
        at=at,
        title=subject or str(_CHANNEL_LABELS.get(channel, channel)),
        channel=channel,
        direction=direction,
        body=notes,
        actor=actor,
        data={
            "outcome": outcome,
            "corrects_id": corrects_id,
            "corrected_by_id": corrected_by_id,
            "has_attachments": bool(has_attachments),
        },
    )


register_source(INTERACTION, _interaction_entries)


def timeline(
    party: Party,
    *,
    kinds: frozenset[str] = frozenset(),
    channels: frozenset[str] = frozenset(),
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Entry], str | None]:
    """The party's entries from every source, newest first, one page after `cursor`."""
    unknown = kinds - SOURCES.keys()
    if unknown:
        raise invalid(
            "kind",
            ",".join(sorted(unknown)),
            _("must be one of: %(values)s"),
            code="timeline_kind_unknown",
            values=", ".join(sorted(SOURCES)),
        )
    before = None
    if cursor:
        at, kind, pk = decode_cursor(cursor, size=3)
        moment = parse_datetime(str(at))
        if moment is None or not isinstance(kind, str) or not isinstance(pk, int):
            raise invalid(
                "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
            )
        before = (moment, kind, pk)
    streams = [
        source(party, before, limit + 1, channels)
        for kind, source in sorted(SOURCES.items())
        if not kinds or kind in kinds
    ]
    merged = list(merge(*streams, key=lambda e: e.sort_key, reverse=True))[: limit + 1]
    page, more = merged[:limit], len(merged) > limit
    next_cursor = None
    if more and page:
        last = page[-1]
        next_cursor = encode_cursor([last.at.isoformat(), last.kind, last.id])
    return page, next_cursor


# An erasure keeps when, how and the source system's id (so a re-import recognises it).
ERASURE_KEEPS = frozenset({"channel", "direction", "external_id"})


def erased_columns() -> tuple[str, ...]:
    """The "table.column" of every free-text column `erase_interactions` blanks (or whose
    rows it deletes: attachments)."""
    table = Interaction._meta.db_table
    blanked = tuple(f"{table}.{name}" for name in blank_text(Interaction, keep=set(ERASURE_KEEPS)))
    files = Attachment._meta.db_table
    return blanked + tuple(f"{files}.{name}" for name in ATTACHMENT_COLUMNS)


def erase_interactions(party: Party) -> None:
    """Blank the text of the party's interactions (erasure); when and on which channel stay.
    Their attachments go, rows and files."""
    erase_attachments(party)
    Interaction.objects.filter(party=party).erase_text(
        **blank_text(Interaction, keep=set(ERASURE_KEEPS))
    )
