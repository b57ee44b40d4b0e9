"""Privacy requests (GDPR articles 15-21): access and portability, erasure, objection."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.accounts.services import require_write
from clientela.consent.models import (
    ConsentRecord,
    ConsentSource,
    ConsentWording,
    ContactLog,
    Preferences,
    PreferenceToken,
    PrivacyRequest,
    RequestChannel,
    RequestKind,
    RequestStatus,
    SignupRequest,
    SuppressedContact,
    SuppressionReason,
)
from clientela.consent.services.records import object_to_marketing
from clientela.consent.services.suppression import SUPPRESSIBLE, suppression_digest
from clientela.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, invalid
from clientela.core.registries import ERASED_TABLES, erasers
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.queries import parties_by_external_id, party_access
from clientela.parties.services import record_change
from clientela.parties.services.identity import normalize_email

MAY_ACT = frozenset({Role.ADMIN, Role.MANAGER})


def one_month_after(moment: datetime) -> datetime:
    """The same day next month (or that month's last day): the GDPR answer deadline."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def is_erased(party: Party) -> bool:
    return PrivacyRequest.objects.filter(
        party=party, kind=RequestKind.ERASURE, status=RequestStatus.COMPLETED
    ).exists()


def open_request(
    party: Party, *, kind: str, channel: str, by: User | None = None, note: str = ""
) -> PrivacyRequest:
    """Log a request with its one-month deadline; staff act on it from the queue."""
    if kind not in RequestKind.values:
        raise Invalid(
            FieldError(
                "kind",
                kind,
                _("must be one of %(allowed)s"),
                code="request_kind_invalid",
                params={"allowed": ", ".join(RequestKind.values)},
            )
        )
    if by is not None:
        require_write(by)
    if is_erased(party):
        raise already_erased(party)
    now = timezone.now()
    return PrivacyRequest.objects.create(
        party=party,
        kind=kind,
        channel=channel,
        received_at=now,
        due_at=one_month_after(now),
        requested_by=by,
        note=note,
    )


def already_erased(party: Party) -> Conflict:
    """The refusal to act again on a party whose personal data is gone."""
    return Conflict(
        _("party %(id)s was already erased"), code="party_already_erased", params={"id": party.pk}
    )


def may_act_on_requests(user: User) -> bool:
    """Managers and admins complete or reject privacy requests."""
    return user.is_active and user.role in MAY_ACT


def visible_requests(user: User, *, status: str = "") -> QuerySet[PrivacyRequest]:
    """Requests about the parties this user may see, soonest deadline first.

    Handled requests stay: a request about a party since erased or archived is still listed
    (the law expects a record of them), under the same access rule as the party's.
    """
    about = Party.objects.filter(party_access(user))
    rows = PrivacyRequest.objects.filter(party__in=about).select_related(
        "party", "handled_by", "requested_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("due_at", "id")


def act_on_request(
    request: PrivacyRequest, *, action: str, by: User, note: str = ""
) -> PrivacyRequest:
    """Complete (export done, party erased, marketing stopped) or reject a request.

    Only managers and admins act; the adapter owns the transaction.
    """
    if not may_act_on_requests(by):
        raise Forbidden(
            _("only managers and admins act on privacy requests"), code="privacy_act_forbidden"
        )
    if request.status != RequestStatus.OPEN:
        raise Conflict(
            _("privacy request %(id)s is already %(status)s"),
            code="request_already_decided",
            params={"id": request.pk, "status": RequestStatus(request.status).label},
        )
    if action == "reject":
        if not note.strip():
            raise invalid(
                "note", note, _("say why the request is rejected"), code="reject_reason_required"
            )
        request.status = RequestStatus.REJECTED
    elif action == "complete":
        if request.kind == RequestKind.ERASURE:
            erase_party(request.party, by=by, request=request)
            return request
        if request.kind == RequestKind.OBJECTION:
            object_to_marketing(request.party, source=ConsentSource.PRIVACY_REQUEST, actor=by)
        request.status = RequestStatus.COMPLETED
    else:
        raise invalid(
            "action", action, _("must be “complete” or “reject”"), code="request_action_invalid"
        )
    request.handled_by = by
    request.completed_at = timezone.now()
    if note:
        request.note = f"{request.note}\n{note}".strip()
    request.save()
    return request


def _suppress_contacts(party: Party) -> None:
    """Keep only keyed hashes of the person's addresses, so they are never contacted again."""
    for point in party.contact_points.filter(kind__in=SUPPRESSIBLE):
        digest = suppression_digest(point.kind, point.normalized)
        SuppressedContact.objects.update_or_create(
            digest=digest,
            defaults={
                "kind": point.kind,
                "value": "",
                "reason": SuppressionReason.ERASED,
                "at": timezone.now(),
                "lifted_at": None,
            },
        )


def _enable_secure_delete() -> None:
    """SQLite overwrites deleted content with zeros from now on, on this connection."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


def erase_party(
    party: Party, *, by: User | None, request: PrivacyRequest | None = None
) -> PrivacyRequest:
    """Remove the person's personal data from every table; keep anonymised aggregates.

    Each feature erases its own tables through the eraser it registered (`register_eraser`,
    listing the free-text columns it blanks); this app's own (services.erasure) pseudonymises
    the consent proof, the parties app's runs last. Orders keep their totals, dates and
    amounts (revenue stays right), roles and the consent history keep their shape, and the
    suppression list keeps a keyed hash of each address. The database file is cleaned once
    the transaction commits (purge_erased_data).
    """
    if is_erased(party):
        raise already_erased(party)
    _enable_secure_delete()
    now = timezone.now()
    _suppress_contacts(party)  # while the party's addresses are still there
    for eraser in erasers():  # every feature's data; the parties app's own data last
        eraser(party)
    record_change(party, actor=by, action="erased")
    if request is None:
        request = PrivacyRequest(
            party=party,
            kind=RequestKind.ERASURE,
            channel=RequestChannel.STAFF if by else RequestChannel.CLI,
            received_at=now,
            due_at=one_month_after(now),
            requested_by=by,
        )
    request.status = RequestStatus.COMPLETED
    request.handled_by = by
    request.completed_at = now
    request.note = ""
    request.save()
    party.refresh_from_db()
    transaction.on_commit(purge_erased_data)
    return request


def _base_tables() -> set[str]:
    models = (
        ConsentRecord,
        ConsentWording,
        Preferences,
        PreferenceToken,
        SignupRequest,
        PrivacyRequest,
        SuppressedContact,
        ContactLog,
    )
    return {m._meta.db_table for m in models} | {Party.tags.through._meta.db_table}


def purge_erased_data() -> bool:
    """Make erased values unrecoverable from the database files; False inside a transaction.

    SQLite: secure_delete already zeroed freed space; the WAL is checkpointed into the main
    file and truncated, then VACUUM rebuilds the file. PostgreSQL: VACUUM the tables erasure
    touched, so dead row versions are reclaimed (pg_dump never shows them in any case).
    """
    if connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for table in sorted(_base_tables() | ERASED_TABLES):
                cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return True


def find_party(reference: str) -> Party:
    """A party by id, external id or e-mail address, for the command line (which sees all)."""
    reference = reference.strip()
    party = None
    if reference.isdigit():
        party = Party.objects.filter(pk=int(reference)).first()
    if party is None:
        pk = parties_by_external_id(Party.objects.all(), [reference]).get(reference)
        party = Party.objects.filter(pk=pk).first() if pk is not None else None
    if party is None and "@" in reference:
        try:
            email = normalize_email(reference)
        except ValueError:
            email = reference.lower()
        point = (
            ContactPoint.objects.filter(kind=ContactKind.EMAIL, normalized=email)
            .select_related("party")
            .order_by("party_id")
            .first()
        )
        party = point.party if point is not None else None
    if party is None:
        raise NotFound(
            _("no party with id, external id or e-mail “%(reference)s”"),
            code="party_not_found",
            params={"reference": reference},
        )
    return party


def forget_stale_data(now: datetime | None = None) -> dict[str, int]:
    """Data minimisation: drop what no longer serves a purpose.

    Unconfirmed sign-ups (an address and an IP nobody confirmed) a day after their link
    expired, and links expired for 30 days. (Throttling hits go with the throttle's own
    clean-up: accounts.services.throttle.)
    """
    now = now or timezone.now()
    signups, _ = SignupRequest.objects.filter(
        confirmed_at__isnull=True, expires_at__lt=now - timedelta(days=1)
    ).delete()
    tokens, _ = PreferenceToken.objects.filter(expires_at__lt=now - timedelta(days=30)).delete()
    return {"signups": signups, "links": tokens}
