"""Inbound SMS: a stop keyword withdraws the sender's SMS consent; anything else is logged on
the sender's timeline.

The keywords are STOP, STOP ALL, PARAR, BAJA and ALT (English, Portuguese, Spanish, Italian),
matched as the whole message, whatever the case, accents, spaces and punctuation around them
("Stop!", "pará", " baja."). A stop withdraws every purpose on the SMS channel for each party
with that number (transactional messages need no consent and go on); the proof is the text
the person sent (the record's wording) and, in its note, the number, the gateway's id and the
time the gateway gives; the record itself is dated when the SMS came in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import (
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
)
from clientela.consent.services.privacy import is_erased
from clientela.consent.services.records import current_consents, record_consent
from clientela.consent.services.wordings import store_wording
from clientela.core.errors import Invalid, NotFound, Problem
from clientela.interactions.models import Channel as InteractionChannel
from clientela.interactions.services.inbound import log_inbound
from clientela.messaging.schemas import InboundIn
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.services.identity import normalize_phone

STOP_KEYWORDS = frozenset({"stop", "stop all", "stopall", "parar", "baja", "alt"})
REPLY_VERSION = "sms-reply-1"


@dataclass(frozen=True)
class Inbound:
    """What an inbound SMS did: `withdrawn` (a stop) or `logged`, and to how many parties."""

    outcome: str
    parties: int
    records: int


def keyword_of(text: str) -> str:
    """The text reduced to what a keyword is compared with: no accents, lower case, single
    spaces, no punctuation around it."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.sub(r"[^\w\s]", " ", plain.casefold()).split()
    return " ".join(words)


def is_stop(text: str) -> bool:
    """Whether the whole message is one of the stop keywords."""
    return keyword_of(text) in STOP_KEYWORDS


def sender_number(raw: str) -> str:
    """The sender's number in E.164; Invalid (422) naming `from` when it is not one."""
    try:
        return normalize_phone(raw, "ZZ" if raw.strip().startswith("+") else None)
    except Problem as exc:
        raise Invalid(exc.at("from", raw)) from exc


def parties_with_number(number: str) -> list[Party]:
    """The live parties one of whose phones is this number (erased and archived ones left
    out); NotFound when there is none."""
    ids = ContactPoint.objects.filter(kind=ContactKind.PHONE, normalized=number).values("party")
    parties = [
        party
        for party in Party.objects.filter(pk__in=ids, archived_at__isnull=True).order_by("pk")
        if not is_erased(party)
    ]
    if not parties:
        raise NotFound(
            _("no customer has the number %(number)s"),
            code="sms_number_unknown",
            params={"number": number},
        )
    return parties


def withdraw_sms(party: Party, *, text: str, note: str) -> int:
    """Record a no for each purpose on SMS not withdrawn already; how many were recorded.

    Recorded now, when it came in, not at the time the gateway gives the SMS: the latest
    record is the one in force, and a yes recorded between the two must not outlive it."""
    wording = store_wording(text, version=REPLY_VERSION)
    current = current_consents(party)
    made = 0
    for purpose in CONTACT_PURPOSES:
        record = current.get((purpose, ConsentChannel.SMS))
        if record is not None and record.status == ConsentStatus.WITHDRAWN:
            continue
        record_consent(
            party,
            purpose=purpose,
            channel=ConsentChannel.SMS,
            status=ConsentStatus.WITHDRAWN,
            source=ConsentSource.SMS_REPLY,
            legal_basis=record.legal_basis if record else LegalBasis.CONSENT,
            wording=wording,
            note=note,
        )
        made += 1
    return made


def take_inbound(data: InboundIn) -> Inbound:
    """Act on one inbound SMS, inside the caller's transaction."""
    number = sender_number(data.sender)
    parties = parties_with_number(number)
    at = data.at or timezone.now()
    if is_stop(data.text):
        note = f"SMS from {number}, gateway id {data.provider_id or '-'}, at {at.isoformat()}"
        made = sum(withdraw_sms(p, text=data.text, note=note) for p in parties)
        return Inbound("withdrawn", len(parties), made)
    logged = 0
    for party in parties:
        external_id = f"sms:{party.pk}:{data.provider_id}" if data.provider_id else ""
        _interaction, created = log_inbound(
            party,
            channel=InteractionChannel.SMS,
            notes=data.text,
            external_id=external_id,
            occurred_at=min(at, timezone.now()),
        )
        logged += created
    return Inbound("logged", len(parties), logged)
