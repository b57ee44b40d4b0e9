"""A personal e-mail from a member of staff to one customer, through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.consent.services import Decision, contact_point_for, may_contact
from clientela.messaging.models import Channel, Message, SourceKind
from clientela.messaging.schemas import StaffEmailIn
from clientela.messaging.services.email import from_address
from clientela.messaging.services.outbox import Content, enqueue
from clientela.parties.models import Party


@dataclass(frozen=True)
class Preview:
    """What the customer would receive, and whether the gate lets it go now."""

    sender: str
    reply_to: str
    to: str
    subject: str
    body: str
    decision: Decision


def preview_staff_email(user: User, party: Party, data: StaffEmailIn) -> Preview:
    """The e-mail as it would leave, with the gate's answer at this moment (the party is one
    the user may see: the caller found it through the access rules)."""
    point = contact_point_for(party, Channel.EMAIL)
    return Preview(
        sender=from_address(),
        reply_to=user.email,
        to=point.value if point is not None else "",
        subject=data.subject,
        body=data.body,
        decision=may_contact(party, purpose=data.purpose, channel=Channel.EMAIL),
    )


def send_staff_email(user: User, party: Party, data: StaffEmailIn) -> Message:
    """Queue the e-mail; the worker asks the gate again when it sends it."""
    require_write(user)
    return enqueue(
        party,
        Channel.EMAIL,
        data.purpose,
        SourceKind.STAFF,
        content=Content(subject=data.subject, body_text=data.body),
        created_by=user,
    )
