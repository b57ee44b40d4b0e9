"""Who may do what: the checks of the matrix of rights (accounts.models.RIGHTS)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.core.errors import Forbidden


def require_write(user: User) -> None:
    """Refuse users who may only read (viewers, disabled users)."""
    if not user.can_write:
        raise Forbidden(_("your role may not change anything"), code="role_read_only")


def require_right(user: User, right: Right) -> None:
    """Refuse a user whose role lacks `right` in the matrix (accounts.models.RIGHTS)."""
    if user.may(right):
        return
    if right == Right.WRITE:
        require_write(user)
    if right == Right.ASSIGN:
        raise Forbidden(
            _("only managers and admins may assign owners and teams"), code="assign_forbidden"
        )
    if right == Right.EXPORT:
        raise Forbidden(_("your role may not export customer data"), code="export_forbidden")
    if right == Right.IMPORT:
        raise Forbidden(_("your role may not import files"), code="import_forbidden")
    if right == Right.MERGE:
        raise Forbidden(_("your role may not merge parties"), code="merge_forbidden")
    if right == Right.ADMINISTER:
        raise Forbidden(
            _("only an admin may manage users, teams and settings"), code="administer_forbidden"
        )
    if right == Right.AUDIT:
        raise Forbidden(_("your role may not read the audit log"), code="audit_forbidden")
    raise Forbidden(_("your role may not archive parties"), code="archive_forbidden")
