"""The audit log: who changed the staff's settings, or many records at once, and when.

Every use case that changes users, teams, custom fields, the company's settings or a selection
of parties in bulk calls `record_audit` inside its own transaction, so the entry exists exactly
when the change does. The log is read by admins and managers (Right.AUDIT), newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from clientela.accounts.models import AuditEntry, Right, User
from clientela.accounts.services.rights import require_right

# The longest action code (the column's width), so a typo is caught where it is written.
ACTION_LENGTH = 60


def record_audit(
    by: User | None,
    action: str,
    *,
    target_kind: str = "",
    target_id: int | str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry: `action` is a dotted code ("user.role_changed", "parties.bulk_tagged"),
    the target names what changed (kind and id), `details` the ids, counts and before/after
    values, as JSON. `by` is None for the system (the command line's `init`, a migration)."""
    if not action or len(action) > ACTION_LENGTH or action != action.strip().lower():
        raise ValueError(f"not an audit action code: {action!r}")
    return AuditEntry.objects.create(
        actor=by,
        actor_email=by.email if by is not None else "",
        action=action,
        target_kind=target_kind,
        target_id=str(target_id),
        details=dict(details or {}),
    )


def audit_entries(
    user: User,
    *,
    action: str | None = None,
    actor: int | None = None,
    target_kind: str | None = None,
    target_id: int | str | None = None,
) -> QuerySet[AuditEntry]:
    """The entries `user` may read (Right.AUDIT, else Forbidden), newest first, narrowed by
    an action (a code or its dotted prefix, "user."), an actor's id or a target."""
    require_right(user, Right.AUDIT)
    entries = AuditEntry.objects.select_related("actor")
    if action:
        entries = (
            entries.filter(action__startswith=action)
            if action.endswith(".")
            else entries.filter(action=action)
        )
    if actor is not None:
        entries = entries.filter(actor_id=actor)
    if target_kind:
        entries = entries.filter(target_kind=target_kind)
    if target_id is not None:
        entries = entries.filter(target_id=str(target_id))
    return entries
