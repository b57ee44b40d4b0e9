"""Putting messages in the outbox: one row per message, before anything leaves.

Enqueueing writes in the caller's transaction, so a campaign's rows exist exactly when the
campaign's start commits. With a source id, a row is unique per (source, party, channel):
running a source again queues nobody twice (the rows already there are kept as they are).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import Purpose
from clientela.core.errors import FieldError, Invalid
from clientela.messaging.models import Channel, Message, MessageState, SourceKind, Template
from clientela.parties.models import Party

if TYPE_CHECKING:
    from clientela.accounts.models import User

CHUNK = 2000
SUBJECT_MAX = 998
BODY_MAX = 256 * 1024


@dataclass(frozen=True)
class Content:
    """What a message says, already rendered (a staff e-mail), or left to its template."""

    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    template: Template | None = None
    language: str = ""


def new_token() -> str:
    """The message's identity in return paths, receipts and links: 128 random bits."""
    return secrets.token_hex(16)


def _choice(field: str, value: str, allowed: Iterable[str]) -> FieldError | None:
    allowed = list(allowed)
    if value in allowed:
        return None
    return FieldError(
        field,
        value,
        _("must be one of %(allowed)s"),
        code=f"message_{field}_invalid",
        params={"allowed": ", ".join(allowed)},
    )


def check_request(
    *, channel: str, purpose: str, source_kind: str, content: Content, not_after: datetime | None
) -> None:
    """Refuse a message the outbox could not send as asked, naming each wrong field."""
    errors = [
        e
        for e in (
            _choice("channel", channel, Channel.values),
            _choice("purpose", purpose, Purpose.values),
            _choice("source_kind", source_kind, SourceKind.values),
        )
        if e is not None
    ]
    if "\r" in content.subject or "\n" in content.subject:
        errors.append(
            FieldError(
                "subject", content.subject, _("must be one line"), code="message_subject_lines"
            )
        )
    if len(content.subject) > SUBJECT_MAX:
        errors.append(
            FieldError(
                "subject",
                content.subject[:50],
                _("must be at most %(max)s characters"),
                code="message_subject_long",
                params={"max": SUBJECT_MAX},
            )
        )
    if len(content.body_text) > BODY_MAX or len(content.body_html) > BODY_MAX:
        errors.append(
            FieldError(
                "body",
                content.body_text[:50],
                _("must be at most %(max)s characters"),
                code="message_body_long",
                params={"max": BODY_MAX},
            )
        )
    if not_after is not None and not_after <= timezone.now():
        errors.append(
            FieldError(
                "not_after",
                not_after.isoformat(),
                _("is already past"),
                code="message_deadline_past",
            )
        )
    if errors:
        raise Invalid(errors)


def _row(
    party_id: int,
    *,
    channel: str,
    purpose: str,
    source_kind: str,
    source_id: int | None,
    content: Content,
    not_before: datetime,
    not_after: datetime | None,
    created_by: User | None,
) -> Message:
    return Message(
        party_id=party_id,
        channel=channel,
        purpose=purpose,
        source_kind=source_kind,
        source_id=source_id,
        template=content.template,
        language=content.language,
        subject=content.subject,
        body_text=content.body_text,
        body_html=content.body_html,
        token=new_token(),
        state=MessageState.QUEUED,
        queued_at=timezone.now(),
        not_before=not_before,
        not_after=not_after,
        created_by=created_by,
    )


def enqueue(
    party: Party,
    channel: str,
    purpose: str,
    source_kind: str,
    source_id: int | None = None,
    *,
    content: Content | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    created_by: User | None = None,
) -> Message:
    """Queue one message to one party (or return the one this source already queued)."""
    content = content or Content()
    check_request(
        channel=channel,
        purpose=purpose,
        source_kind=source_kind,
        content=content,
        not_after=not_after,
    )
    row = _row(
        party.pk,
        channel=channel,
        purpose=purpose,
        source_kind=source_kind,
        source_id=source_id,
        content=content,
        not_before=not_before or timezone.now(),
        not_after=not_after,
        created_by=created_by,
    )
    if source_id is None:
        row.save()
        return row
    Message.objects.bulk_create([row], ignore_conflicts=True)
    return Message.objects.get(
        source_kind=source_kind, source_id=source_id, party=party, channel=channel
    )


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def enqueue_many(
    party_ids: Iterable[int],
    channel: str,
    purpose: str,
    source_kind: str,
    source_id: int,
    *,
    content: Content | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    created_by: User | None = None,
) -> int:
    """Queue one message per party for one source, set-based; returns how many are new.

    Parties this source already has a message for (on this channel) keep theirs, so a re-run
    after a crash queues only the missing ones.
    """
    content = content or Content()
    check_request(
        channel=channel,
        purpose=purpose,
        source_kind=source_kind,
        content=content,
        not_after=not_after,
    )
    mine = Q(source_kind=source_kind, source_id=source_id, channel=channel)
    before = Message.objects.filter(mine).count()
    start = not_before or timezone.now()
    for chunk in _chunks(party_ids):
        rows = [
            _row(
                pk,
                channel=channel,
                purpose=purpose,
                source_kind=source_kind,
                source_id=source_id,
                content=content,
                not_before=start,
                not_after=not_after,
                created_by=created_by,
            )
            for pk in chunk
        ]
        Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Message.objects.filter(mine).count() - before


def cancel_queued(party: Party, *, reason: str) -> int:
    """Stop every message still waiting for this party (an erasure); returns how many."""
    waiting = Message.objects.filter(
        party=party, state__in=(MessageState.QUEUED, MessageState.LEASED)
    )
    return waiting.update(
        state=MessageState.CANCELLED, reason=reason, leased_by="", leased_until=None
    )
