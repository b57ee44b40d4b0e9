"""What the preference centre changes: consents per purpose and channel, and preferences."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from clientela.consent.models import (
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
    Purpose,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from clientela.consent.models import PrivacyRequest as PrivacyRequestRow
from clientela.consent.schemas import PreferencesIn
from clientela.consent.services.gate import is_existing_customer
from clientela.consent.services.preferences import update_preferences
from clientela.consent.services.privacy import open_request
from clientela.consent.services.records import (
    Proof,
    current_consents,
    record_consent,
    withdraw_all,
)
from clientela.consent.services.wordings import leave_everything_wording, store_wording
from clientela.parties.models import Party

WORDING_VERSION = "preference-centre-1"
Pair = tuple[str, str]


def centre_pairs() -> list[Pair]:
    """Every (purpose, channel) the preference centre shows, profiling last."""
    pairs = [(p.value, c.value) for p in CONTACT_PURPOSES for c in CONTACT_CHANNELS]
    return [*pairs, (Purpose.PROFILING.value, ConsentChannel.ANY.value)]


def consent_states(party: Party) -> dict[Pair, bool]:
    """Whether each pair is on now: a standing yes, or e-mail marketing by soft opt-in."""
    current = current_consents(party)
    customer: bool | None = None
    states = {}
    for pair in centre_pairs():
        record = current.get(pair)
        if record is not None:
            states[pair] = record.status == ConsentStatus.GRANTED
            continue
        if pair == (Purpose.MARKETING, ConsentChannel.EMAIL):
            customer = is_existing_customer(party) if customer is None else customer
            states[pair] = customer
        else:
            states[pair] = False
    return states


def _wording_text(purpose: str, channel: str) -> str:
    labels = dict(Purpose.choices)
    channels = dict(ConsentChannel.choices)
    if purpose == Purpose.PROFILING:
        return _("I agree that my data may be analysed to tailor offers to me.")
    return _("I agree to receive %(purpose)s messages by %(channel)s.") % {
        "purpose": str(labels[purpose]).lower(),
        "channel": str(channels[channel]),
    }


def set_consents(
    party: Party, wanted: dict[Pair, bool], *, proof: Proof, language: str
) -> list[ConsentRecord]:
    """Record a yes or no for each pair whose wanted state differs from the state now."""
    states = consent_states(party)
    current = current_consents(party)
    made = []
    with translation.override(language):
        for pair, on in wanted.items():
            if pair not in states or states[pair] == on:
                continue
            purpose, channel = pair
            previous = current.get(pair)
            basis = LegalBasis.CONSENT
            # The sentence beside the box, ticked (a yes) or unticked (a no).
            wording = store_wording(
                _wording_text(purpose, channel), version=WORDING_VERSION, language=language
            )
            if not on and previous is not None:
                basis = LegalBasis(previous.legal_basis)
            elif not on and pair == (Purpose.MARKETING, ConsentChannel.EMAIL):
                basis = LegalBasis.LEGITIMATE_INTEREST  # leaving the soft opt-in
            made.append(
                record_consent(
                    party,
                    purpose=purpose,
                    channel=channel,
                    status=ConsentStatus.GRANTED if on else ConsentStatus.WITHDRAWN,
                    legal_basis=basis,
                    source=ConsentSource.PREFERENCE_CENTRE,
                    wording=wording,
                    proof=proof,
                )
            )
    return made


def save_centre(
    party: Party,
    *,
    wanted: dict[Pair, bool],
    preferences: PreferencesIn,
    proof: Proof,
    language: str,
) -> list[ConsentRecord]:
    """Apply one submission of the preference centre, worded in the language it was shown in."""
    made = set_consents(party, wanted, proof=proof, language=language)
    update_preferences(party, preferences, replace=True)
    return made


def leave_everything(party: Party, *, proof: Proof) -> list[ConsentRecord]:
    """Unsubscribe from every purpose on every channel (transactional messages still go)."""
    return withdraw_all(
        party,
        source=ConsentSource.PREFERENCE_CENTRE,
        proof=proof,
        wording=leave_everything_wording(),
    )


def ask_to_be_forgotten(party: Party) -> PrivacyRequestRow:
    """Log an erasure request from the customer; an open one is returned, not duplicated."""
    existing = PrivacyRequestRow.objects.filter(
        party=party, kind=RequestKind.ERASURE, status=RequestStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    return open_request(party, kind=RequestKind.ERASURE, channel=RequestChannel.PREFERENCE_CENTRE)
