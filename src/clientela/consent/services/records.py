"""Consent records: append-only proof of every yes and no; the current state derives from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.consent.models import (
    CONSENT_PURPOSES,
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentWording,
    LegalBasis,
    Purpose,
)
from clientela.consent.services.suppression import suppressed_points
from clientela.consent.services.tokens import end_pending_signups
from clientela.consent.services.wordings import objection_wording, standard_wording
from clientela.core.errors import Conflict, FieldError, Invalid
from clientela.parties.models import ContactKind, Party


@dataclass(frozen=True)
class Proof:
    """Where a self-service action came from: the person's IP address and browser."""

    ip: str | None = None
    user_agent: str = ""


def _check(
    party: Party,
    *,
    purpose: str,
    channel: str,
    status: str,
    legal_basis: str,
    source: str,
    wording: ConsentWording | None,
    at: datetime,
) -> None:
    errors: list[FieldError] = []
    if purpose not in CONSENT_PURPOSES:
        errors.append(
            FieldError(
                "purpose",
                purpose,
                _("must be one of %(allowed)s"),
                code="purpose_invalid",
                params={"allowed": ", ".join(CONSENT_PURPOSES)},
            )
        )
    if purpose == Purpose.PROFILING and channel != ConsentChannel.ANY:
        message = _("profiling consent is for the channel “any”")
        errors.append(FieldError("channel", channel, message, code="profiling_channel_any"))
    if purpose != Purpose.PROFILING and channel not in CONTACT_CHANNELS:
        errors.append(
            FieldError(
                "channel",
                channel,
                _("must be one of %(allowed)s"),
                code="channel_invalid",
                params={"allowed": ", ".join(CONTACT_CHANNELS)},
            )
        )
    if status not in ConsentStatus.values:
        message = _("must be “granted” or “withdrawn”")
        errors.append(FieldError("status", status, message, code="consent_status_invalid"))
    if legal_basis not in LegalBasis.values:
        message = _("is not a legal basis")
        errors.append(FieldError("legal_basis", legal_basis, message, code="legal_basis_invalid"))
    if source not in ConsentSource.values:
        message = _("is not a consent source")
        errors.append(FieldError("source", source, message, code="consent_source_invalid"))
    if status == ConsentStatus.GRANTED and legal_basis == LegalBasis.CONSENT and wording is None:
        message = _("a consent needs the wording the person saw")
        errors.append(FieldError("wording", None, message, code="wording_required"))
    if at > timezone.now() + timedelta(minutes=5):
        message = _("is in the future")
        errors.append(FieldError("recorded_at", at.isoformat(), message, code="recorded_in_future"))
    if errors:
        raise Invalid(errors)


def record_consent(
    party: Party,
    *,
    purpose: str,
    channel: str,
    status: str,
    source: str,
    legal_basis: str = LegalBasis.CONSENT,
    wording: ConsentWording | None = None,
    actor: User | None = None,
    proof: Proof | None = None,
    note: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    """Append one yes or no; refuses a yes for a suppressed contact or an erased party.

    Only a confirmed double opt-in (new, explicit proof from the person themself) may record a
    yes for what suppression blocks (the suppression still stops every send): imports, the API
    and staff cannot. A record given no wording carries the standard sentence of what it
    records. A no by e-mail ends the person's pending sign-up links: a link sent before it
    must not undo it.
    """
    from clientela.consent.services.privacy import is_erased

    at = at or timezone.now()
    _check(
        party,
        purpose=purpose,
        channel=channel,
        status=status,
        legal_basis=legal_basis,
        source=source,
        wording=wording,
        at=at,
    )
    if status == ConsentStatus.GRANTED and source != ConsentSource.DOUBLE_OPT_IN:
        if is_erased(party):
            raise Conflict(
                _("party %(id)s was erased: nothing can be granted for it"),
                code="party_erased",
                params={"id": party.pk},
            )
        if suppressed_points(party, channel):
            raise Conflict(
                _(
                    "the party's %(channel)s contact is suppressed; only the person's own "
                    "confirmed sign-up (double opt-in) can grant it again"
                ),
                code="contact_suppressed",
                params={"channel": channel},
            )
    proof = proof or Proof()
    if wording is None:
        wording = standard_wording(
            purpose=purpose,
            channel=channel,
            status=status,
            source=source,
            legal_basis=legal_basis,
        )
    if status == ConsentStatus.WITHDRAWN and channel == ConsentChannel.EMAIL:
        emails = party.contact_points.filter(kind=ContactKind.EMAIL)
        end_pending_signups(emails.values_list("normalized", flat=True))
    return ConsentRecord.objects.create(
        party=party,
        purpose=purpose,
        channel=channel,
        status=status,
        legal_basis=legal_basis,
        source=source,
        wording=wording,
        actor=actor,
        recorded_at=at,
        ip_address=proof.ip or None,
        user_agent=proof.user_agent[:300],
        note=note[:300],
    )


def consent_history(party: Party) -> QuerySet[ConsentRecord]:
    """Every record of the party, newest first, with its wording and who recorded it."""
    return party.consent_records.select_related("wording", "actor").order_by("-recorded_at", "-id")


def current_consents(party: Party) -> dict[tuple[str, str], ConsentRecord]:
    """The latest record for each (purpose, channel): the state in force now."""
    state: dict[tuple[str, str], ConsentRecord] = {}
    for record in consent_history(party):
        state.setdefault((record.purpose, record.channel), record)
    return state


def withdraw_all(
    party: Party,
    *,
    source: str,
    purposes: tuple[str, ...] = CONSENT_PURPOSES,
    actor: User | None = None,
    proof: Proof | None = None,
    note: str = "",
    wording: ConsentWording | None = None,
) -> list[ConsentRecord]:
    """Record a 'no' for every purpose and channel not already withdrawn (idempotent)."""
    current = current_consents(party)
    made = []
    for purpose in purposes:
        channels = (ConsentChannel.ANY,) if purpose == Purpose.PROFILING else CONTACT_CHANNELS
        for channel in channels:
            record = current.get((purpose, channel))
            if record is not None and record.status == ConsentStatus.WITHDRAWN:
                continue
            made.append(
                record_consent(
                    party,
                    purpose=purpose,
                    channel=channel,
                    status=ConsentStatus.WITHDRAWN,
                    source=source,
                    legal_basis=record.legal_basis if record else LegalBasis.CONSENT,
                    actor=actor,
                    proof=proof,
                    note=note,
                    wording=wording,
                )
            )
    return made


def unsubscribe(
    party: Party, *, purpose: str, source: str, proof: Proof | None = None
) -> ConsentRecord | None:
    """Leave one list by e-mail; a second call changes nothing and returns None."""
    record = current_consents(party).get((purpose, ConsentChannel.EMAIL))
    if record is not None and record.status == ConsentStatus.WITHDRAWN:
        return None
    return record_consent(
        party,
        purpose=purpose,
        channel=ConsentChannel.EMAIL,
        status=ConsentStatus.WITHDRAWN,
        source=source,
        legal_basis=record.legal_basis if record else LegalBasis.CONSENT,
        proof=proof,
        note="one-click unsubscribe" if source == ConsentSource.UNSUBSCRIBE_LINK else "",
    )


def object_to_marketing(
    party: Party, *, source: str, actor: User | None = None, proof: Proof | None = None
) -> list[ConsentRecord]:
    """GDPR art. 21: no direct marketing of any kind, on any channel, from now on."""
    return withdraw_all(
        party,
        source=source,
        purposes=(*CONTACT_PURPOSES, Purpose.PROFILING),
        actor=actor,
        proof=proof,
        note="objection to direct marketing",
        wording=objection_wording(),
    )
