"""The audit log in words: each entry's action said in the reader's language.

Features say how their action codes read (`core.registries.register_audit_action`, in their
AppConfig.ready); the message's %(name)s parameters are the entry's details, with `actor` and
`target`; role codes are shown as the role's name. An unknown code, or a message whose
parameters the entry lacks, shows the code and its details as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import AuditEntry, Role
from clientela.core.registries import audit_action_label, register_audit_action

ROLE_KEYS = frozenset({"role", "role_before", "role_after"})

ACTIONS = {
    "user.invited": _("invited %(email)s to join as %(role)s"),
    "user.joined": _("joined from an invitation, as %(role)s"),
    "user.role_changed": _("changed the role of %(email)s from %(role_before)s to %(role_after)s"),
    "user.team_changed": _("moved %(email)s from team “%(team_before)s” to team “%(team_after)s”"),
    "user.disabled": _("disabled %(email)s"),
    "user.enabled": _("enabled %(email)s"),
    "user.password_reset": _("chose a new password from a reset link"),
    "user.password_reset_sent": _("sent %(email)s a link to choose a new password"),
    "token.created": _("created API token %(prefix)s… for %(email)s"),
    "token.revoked": _("revoked API token %(prefix)s… of %(email)s"),
    "team.created": _("created team “%(name)s”"),
    "team.renamed": _("renamed team “%(name_before)s” to “%(name)s”"),
    "team.deleted": _("deleted team “%(name)s”"),
    "company.updated": _("changed the company's settings"),
}


def register_actions() -> None:
    """accounts' own codes (AppConfig.ready)."""
    for code, label in ACTIONS.items():
        register_audit_action(code, label)


@dataclass(frozen=True)
class ShownEntry:
    entry: AuditEntry
    actor: str
    text: str
    known: bool


def _shown_value(key: str, value: Any) -> str:
    if key in ROLE_KEYS and value in Role.values:
        return str(Role(value).label)
    if value in ("", None):
        return "—"
    return str(value)


def describe(entry: AuditEntry) -> ShownEntry:
    """The entry in words, in the active language."""
    actor = entry.actor_email or gettext("the system")
    details = entry.details if isinstance(entry.details, dict) else {}
    params = {key: _shown_value(key, value) for key, value in details.items()}
    params |= {"actor": actor, "target": f"{entry.target_kind} {entry.target_id}".strip()}
    label = audit_action_label(entry.action)
    if label is not None:
        try:
            return ShownEntry(entry, actor, str(label) % params, known=True)
        except (KeyError, TypeError, ValueError):
            pass
    return ShownEntry(entry, actor, entry.action, known=False)
