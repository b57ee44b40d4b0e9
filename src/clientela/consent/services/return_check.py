"""Is this address suppressed, since when, why, and has the person come back since?

Other features ask this before they make a party from an address (through the creation guard
that consent registers in core.registries): an erased or suppressed address stays out unless
the person came back themself. Coming back is the person's own new, explicit proof, the only
thing that may grant again what suppression blocks (records.record_consent): a sign-up made
after the suppression and confirmed by its link (double opt-in). Staff cannot stand in for
it: a record's source `web_form` can be typed through the API, so it proves nothing here. A
confirmation also lifts the suppression, and a lifted address is not suppressed at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import SignupRequest, SuppressionReason
from clientela.consent.services.keys import keyed_digest
from clientela.consent.services.suppression import active_suppressions, suppression_digest
from clientela.core.errors import Problem
from clientela.parties.models import ContactKind

Point = tuple[str, str]  # (kind, normalised value): an e-mail address or a phone in E.164


@dataclass(frozen=True)
class Standing:
    """What the suppression list says of one address, and whether its person came back."""

    kind: str
    normalized: str
    reason: str  # a SuppressionReason
    since: datetime
    came_back_at: datetime | None  # when the person's own new sign-up was confirmed


def suppression_standing(points: Collection[Point]) -> dict[Point, Standing]:
    """The standing of each of these addresses that is suppressed now; the others are left
    out. Two queries, whatever the number of addresses."""
    digests = {suppression_digest(kind, value): (kind, value) for kind, value in points}
    if not digests:
        return {}
    rows = active_suppressions().filter(digest__in=digests).values_list("digest", "reason", "at")
    found = {digests[digest]: (reason, at) for digest, reason, at in rows}
    returns = _returns({value for (kind, value) in found if kind == ContactKind.EMAIL})
    standing = {}
    for (kind, value), (reason, since) in found.items():
        back = [at for at in returns.get(value, ()) if at[0] >= since]
        standing[(kind, value)] = Standing(
            kind, value, reason, since, came_back_at=max((at[1] for at in back), default=None)
        )
    return standing


def _returns(emails: set[str]) -> dict[str, list[tuple[datetime, datetime]]]:
    """(made, confirmed) of every confirmed sign-up for these e-mail addresses."""
    if not emails:
        return {}
    by_digest = {keyed_digest(email, scope="signup"): email for email in emails}
    signups = SignupRequest.objects.filter(
        email_digest__in=by_digest, confirmed_at__isnull=False
    ).values_list("email_digest", "created_at", "confirmed_at")
    returns: dict[str, list[tuple[datetime, datetime]]] = {}
    for digest, made, confirmed in signups:
        if confirmed is not None:
            returns.setdefault(by_digest[digest], []).append((made, confirmed))
    return returns


def keeps_out(points: Collection[Point]) -> dict[Point, Problem]:
    """The creation guard: why each address that may not become a new party stays out."""
    return {
        point: _why(standing)
        for point, standing in suppression_standing(points).items()
        if standing.came_back_at is None
    }


def _why(standing: Standing) -> Problem:
    date = timezone.localdate(standing.since).isoformat()
    if standing.reason == SuppressionReason.ERASED:
        return Problem(
            "contact_erased",
            _(
                "was erased on %(date)s; not re-created (only the person's own new sign-up "
                "brings it back)"
            ),
            date=date,
        )
    if standing.reason == SuppressionReason.HARD_BOUNCE:
        return Problem(
            "contact_hard_bounced",
            _(
                "is on the suppression list since %(date)s: mail to it bounced; no party is "
                "made from it (only the person's own new sign-up brings it back)"
            ),
            date=date,
        )
    if standing.reason == SuppressionReason.COMPLAINT:
        return Problem(
            "contact_complained",
            _(
                "is on the suppression list since %(date)s: its owner complained of spam; no "
                "party is made from it (only the person's own new sign-up brings it back)"
            ),
            date=date,
        )
    return Problem(
        "contact_on_suppression_list",
        _(
            "is on the suppression list since %(date)s; no party is made from it (only the "
            "person's own new sign-up brings it back)"
        ),
        date=date,
    )
