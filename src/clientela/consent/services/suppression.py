"""The suppression list: addresses and numbers that must never be contacted again."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import ConsentChannel, SuppressedContact, SuppressionReason
from clientela.consent.services.keys import keyed_digest
from clientela.consent.services.tokens import end_pending_signups
from clientela.core.errors import FieldError, Invalid, Problem, invalid
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.services.identity import normalize_contact

# Which kind of contact point each channel reaches.
CHANNEL_CONTACT_KIND: dict[str, str] = {
    ConsentChannel.EMAIL: ContactKind.EMAIL,
    ConsentChannel.SMS: ContactKind.PHONE,
    ConsentChannel.PHONE: ContactKind.PHONE,
    ConsentChannel.MESSAGING: ContactKind.PHONE,
    ConsentChannel.POST: ContactKind.ADDRESS,
}
SUPPRESSIBLE = (ContactKind.EMAIL, ContactKind.PHONE)


def suppression_digest(kind: str, normalized: str) -> str:
    """The keyed hash a suppressed contact is found by (the value alone never is)."""
    return keyed_digest(f"{kind}:{normalized}", scope="suppression")


def suppress(kind: str, value: str, *, reason: str, keep_value: bool = True) -> SuppressedContact:
    """Put an e-mail address or phone number on the list; erased people keep only the hash.

    The address's pending sign-up links die with it: confirming one lifts nothing.
    """
    if kind not in SUPPRESSIBLE:
        raise invalid(
            "kind",
            kind,
            _("only e-mail addresses and phone numbers can be suppressed"),
            code="suppression_kind_invalid",
        )
    if reason not in SuppressionReason.values:
        raise Invalid(
            FieldError(
                "reason",
                reason,
                _("must be one of %(allowed)s"),
                code="suppression_reason_invalid",
                params={"allowed": ", ".join(SuppressionReason.values)},
            )
        )
    try:
        normalized = normalize_contact(kind, value)
    except Problem as exc:  # the parties app's own reason, with its code
        raise Invalid(exc.at("value", value)) from exc
    except ValueError as exc:
        raise invalid(
            "value",
            value,
            _("is not a valid e-mail address or phone number"),
            code="contact_invalid",
        ) from exc
    digest = suppression_digest(kind, normalized)
    row, created = SuppressedContact.objects.get_or_create(
        digest=digest,
        defaults={
            "kind": kind,
            "value": normalized if keep_value else "",
            "reason": reason,
        },
    )
    if not created:
        row.reason = reason
        row.at = timezone.now()
        row.lifted_at = None
        if not keep_value:
            row.value = ""
        row.save(update_fields=["reason", "at", "lifted_at", "value"])
    if kind == ContactKind.EMAIL:
        end_pending_signups([normalized])
    return row


def active_suppressions() -> QuerySet[SuppressedContact]:
    return SuppressedContact.objects.filter(lifted_at__isnull=True)


def is_value_suppressed(kind: str, normalized: str) -> bool:
    return active_suppressions().filter(digest=suppression_digest(kind, normalized)).exists()


def suppressed_points(party: Party, channel: str) -> list[ContactPoint]:
    """The party's contact points for this channel that are on the suppression list."""
    kind = CHANNEL_CONTACT_KIND.get(channel)
    if kind not in SUPPRESSIBLE:
        return []
    points = list(party.contact_points.filter(kind=kind))
    if not points:
        return []
    digests = {suppression_digest(kind, p.normalized): p for p in points}
    found = set(active_suppressions().filter(digest__in=digests).values_list("digest", flat=True))
    return [p for d, p in digests.items() if d in found]


def lift_suppression(kind: str, normalized: str) -> bool:
    """Take an address off the list: staff's decision (a sign-up confirmation lifts nothing)."""
    changed = active_suppressions().filter(digest=suppression_digest(kind, normalized))
    return changed.update(lifted_at=timezone.now()) > 0
