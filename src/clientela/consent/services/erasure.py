"""Erasure of what the consent app keeps about a person (registered as the eraser "consent").

Consent records stay, as proof that the company asked and was answered, pseudonymised: the
IP address, user agent and note go and `erased_at` is stamped, the one change their database
triggers allow. A wording that names the person loses its text and version and keeps its
hash. The contact log keeps when and on which channel (frequency limits, totals) without its
reference; preferences, links and sign-ups are deleted; privacy requests lose their notes.
"""

from __future__ import annotations

from django.db.models import Q

from clientela.consent.models import (
    ConsentRecord,
    ConsentWording,
    ContactLog,
    Preferences,
    PreferenceToken,
    PrivacyRequest,
    SignupRequest,
)
from clientela.consent.services.keys import keyed_digest
from clientela.consent.services.wordings import erase_wordings_naming, naming_pattern
from clientela.parties.models import ContactKind, Party

# The free-text columns this eraser blanks, or whose rows it deletes ("table.column").
COLUMNS = (
    "consent_consentrecord.ip_address",
    "consent_consentrecord.user_agent",
    "consent_consentrecord.note",
    "consent_consentwording.text",
    "consent_consentwording.version",
    "consent_contactlog.reference",
    "consent_preferences.language",
    "consent_preferences.topics",
    "consent_privacyrequest.note",
    "consent_signuprequest.email",
    "consent_signuprequest.name",
    "consent_signuprequest.language",
    "consent_signuprequest.purposes",
    "consent_signuprequest.ip_address",
    "consent_signuprequest.user_agent",
    # Kept as a keyed hash only (privacy.erase_party suppresses the person's addresses).
    "consent_suppressedcontact.value",
)


def erase_consent_data(party: Party) -> None:
    """Pseudonymise the person's consent proof and remove the rest; runs before the parties
    app's eraser, while the person's names and addresses can still be read."""
    points = list(party.contact_points.values_list("kind", "value", "normalized"))
    emails = {normalized for kind, _value, normalized in points if kind == ContactKind.EMAIL}
    signups = SignupRequest.objects.filter(
        Q(party=party) | Q(email_digest__in=[keyed_digest(e, scope="signup") for e in emails])
    )
    wording_ids = set(signups.values_list("wording_id", flat=True))
    wording_ids |= set(
        ConsentRecord.objects.filter(party=party).values_list("wording_id", flat=True)
    )
    names = (party.given_name, party.family_name, party.organization_name, party.display_name)
    contacts = [text for _kind, value, normalized in points for text in (value, normalized)]
    pattern = naming_pattern(names, contacts)
    if pattern is not None:
        erase_wordings_naming(ConsentWording.objects.filter(pk__in=wording_ids), pattern)
    ConsentRecord.objects.filter(party=party, erased_at__isnull=True).erase_self_service_details()
    ContactLog.objects.filter(party=party).exclude(reference="").update(reference="")
    signups.delete()
    Preferences.objects.filter(party=party).delete()
    PreferenceToken.objects.filter(party=party).delete()
    PrivacyRequest.objects.filter(party=party).update(note="")
