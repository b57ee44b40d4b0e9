"""Public sign-up with double opt-in: consent starts only when the person confirms by e-mail."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.consent.models import (
    ConsentChannel,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
    SignupRequest,
)
from clientela.consent.schemas import SignupIn
from clientela.consent.services.keys import keyed_digest
from clientela.consent.services.records import Proof, record_consent
from clientela.consent.services.tokens import absolute_url, new_token, token_digest
from clientela.consent.services.wordings import store_wording
from clientela.core.errors import DomainError
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.services import create_prospect
from clientela.parties.services.identity import normalize_email


class ConfirmationNotSent(DomainError):
    """The mail server did not take the confirmation e-mail; nothing was granted."""

    status = 503
    title = gettext_lazy("Service unavailable")
    default_code = "confirmation_not_sent"


@dataclass(frozen=True)
class Started:
    """A sign-up waiting for confirmation, with the raw token for the e-mail (never stored)."""

    signup: SignupRequest
    token: str


def _limits() -> tuple[int, int, int]:
    """(per address, per IP, window seconds) for sign-up floods."""
    return (
        int(getattr(settings, "CLIENTELA_SIGNUP_PER_ADDRESS", 3)),
        int(getattr(settings, "CLIENTELA_SIGNUP_PER_IP", 20)),
        int(getattr(settings, "CLIENTELA_SIGNUP_WINDOW", 3600)),
    )


def is_ip_flooding(ip: str) -> bool:
    _per_address, per_ip, window = _limits()
    since = timezone.now() - timedelta(seconds=window)
    digest = keyed_digest(ip or "unknown", scope="signup-ip")
    return SignupRequest.objects.filter(ip_digest=digest, created_at__gte=since).count() >= per_ip


def start_signup(data: SignupIn, *, proof: Proof) -> Started | None:
    """Keep the sign-up and its wording; None when this address asked too often lately.

    The caller answers the same in both cases, so nobody learns whether an address is known,
    and nobody can bomb an inbox with confirmation e-mails.
    """
    per_address, _per_ip, window = _limits()
    email = normalize_email(str(data.email))
    email_digest = keyed_digest(email, scope="signup")
    since = timezone.now() - timedelta(seconds=window)
    recent = SignupRequest.objects.filter(email_digest=email_digest, created_at__gte=since)
    if recent.count() >= per_address:
        return None
    wording = store_wording(
        data.wording.text, version=data.wording.version, language=data.wording.language
    )
    raw, digest = new_token()
    hours = int(getattr(settings, "CLIENTELA_SIGNUP_CONFIRM_HOURS", 48))
    signup = SignupRequest.objects.create(
        email=email,
        email_digest=email_digest,
        name=data.name,
        language=data.language,
        purposes=[str(p) for p in data.purposes],
        wording=wording,
        token_digest=digest,
        ip_address=proof.ip or None,
        ip_digest=keyed_digest(proof.ip or "unknown", scope="signup-ip"),
        user_agent=proof.user_agent[:300],
        expires_at=timezone.now() + timedelta(hours=hours),
    )
    return Started(signup=signup, token=raw)


def send_confirmation(started: Started) -> None:
    """E-mail the single-use confirmation link through the configured SMTP backend;
    ConfirmationNotSent when the mail server cannot be reached or refuses it."""
    signup = started.signup
    url = absolute_url(reverse("consent:confirm_signup", args=[started.token]))
    language = signup.language.split("-")[0] if signup.language else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Please confirm your subscription")
        body = render_to_string(
            "consent/email/confirm_signup.txt",
            {"url": url, "name": signup.name, "hours": _hours_left(signup)},
        )
    try:
        EmailMessage(subject=subject, body=body, to=[signup.email]).send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        raise ConfirmationNotSent(
            gettext_lazy("the confirmation e-mail could not be sent; try again later")
        ) from exc


def _hours_left(signup: SignupRequest) -> int:
    return max(1, round((signup.expires_at - signup.created_at).total_seconds() / 3600))


def pending_signup(raw: str) -> SignupRequest | None:
    """The unconfirmed, unexpired sign-up behind this token, or None."""
    if not raw or len(raw) != 43:
        return None
    return SignupRequest.objects.filter(
        token_digest=token_digest(raw), confirmed_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def _party_for(signup: SignupRequest) -> Party:
    point = (
        ContactPoint.objects.filter(
            kind=ContactKind.EMAIL, normalized=signup.email, party__archived_at__isnull=True
        )
        .select_related("party")
        .order_by("party_id")
        .first()
    )
    if point is not None:
        return point.party
    given, _sep, family = signup.name.partition(" ")
    return create_prospect(
        given_name=given or signup.email.split("@")[0],
        family_name=family,
        language=signup.language,
        email=signup.email,
    )


def confirm_signup(raw: str, *, proof: Proof) -> SignupRequest | None:
    """Turn a pending sign-up into consent, once; None for used, expired or unknown links.

    A link used once never grants again, and a pending one dies when the person says no by
    e-mail or the address is suppressed (`end_pending_signups`), so no link sent earlier undoes
    a later no. A confirmation lifts no suppression: a bounce, a complaint, an erasure or
    staff's decision stays until staff lift it (a mail scanner may click a link). An
    unsubscribe is a withdrawal, not a suppression: the newer grant recorded here undoes it.
    """
    signup = pending_signup(raw)
    if signup is None:
        return None
    now = timezone.now()
    claimed = SignupRequest.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    if not claimed:
        return None  # a concurrent confirmation won
    party = _party_for(signup)
    for purpose in signup.purposes:
        record_consent(
            party,
            purpose=purpose,
            channel=ConsentChannel.EMAIL,
            status=ConsentStatus.GRANTED,
            legal_basis=LegalBasis.CONSENT,
            source=ConsentSource.DOUBLE_OPT_IN,
            wording=signup.wording,
            proof=proof,
            note=f"signed up {signup.created_at:%Y-%m-%d %H:%M} UTC"
            f" from {signup.ip_address or 'unknown address'}",
        )
    SignupRequest.objects.filter(pk=signup.pk).update(party=party)
    signup.refresh_from_db()
    return signup
