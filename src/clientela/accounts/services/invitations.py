"""Invitations: an admin invites someone by e-mail with a role (and a team); the link in the
mail lets them choose their name and password once, before it expires, and signs them in.

The link carries a random token (256 bits); only its SHA-256 digest is stored, so the table
holds nothing that opens an account. A newer invitation to the same address withdraws the
older ones. The user row is created when the link is used, with the same rules as
`clientela user create`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Invitation, Right, Role, Team, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.company import company_settings
from clientela.accounts.services.rights import require_right
from clientela.accounts.services.users import check_password, create_user, normal_email
from clientela.core.errors import Conflict, NotFound, Unavailable, invalid

# A link builder: the raw token -> the absolute address the invitee opens.
LinkFor = Callable[[str], str]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def pending_invitations() -> QuerySet[Invitation]:
    """Invitations whose link still works, newest first."""
    return Invitation.objects.filter(
        accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("team", "invited_by")


def invite_user(
    email: str, *, role: str, team: Team | None, by: User, link_for: LinkFor
) -> Invitation:
    """Invite `email` to join with `role` (admins only): the mail is sent before this returns,
    and a mail that cannot be sent raises Unavailable so that the caller's transaction keeps
    nothing. Audited as user.invited."""
    require_right(by, Right.ADMINISTER)
    email = normal_email(email)
    if role not in Role.values:
        raise invalid(
            "role",
            role,
            _("must be one of: %(values)s"),
            code="role_invalid",
            values=", ".join(Role.values),
        )
    if User.objects.filter(email=email).exists():
        raise Conflict(
            _("a user with e-mail %(email)s already exists"),
            code="user_exists",
            params={"email": email},
        )
    now = timezone.now()
    # A newer invitation withdraws the older ones: only the latest link works.
    Invitation.objects.filter(email=email, accepted_at__isnull=True).update(expires_at=now)
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        team=team,
        digest=_digest(raw),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.CLIENTELA_INVITE_DAYS),
    )
    details = {"email": email, "role": role, "team": team.name if team else ""}
    record_audit(
        by, "user.invited", target_kind="invitation", target_id=invitation.pk, details=details
    )
    _send_invitation(invitation, link_for(raw), by)
    return invitation


def _send_invitation(invitation: Invitation, link: str, by: User) -> None:
    company = company_settings().name or "Clientela"
    subject = gettext("%(name)s invites you to %(company)s on Clientela") % {
        "name": by.full_name or by.email,
        "company": company,
    }
    body = gettext(
        "Hello,\n\n%(name)s invites you to work with %(company)s's customers on Clientela.\n\n"
        "Open this link to choose your name and password (it works once, until %(until)s):\n\n"
        "%(link)s\n\nIf you did not expect this, you can ignore this message.\n"
    ) % {
        "name": by.full_name or by.email,
        "company": company,
        "until": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        "link": link,
    }
    send_staff_mail(subject, body, invitation.email)


def send_staff_mail(subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except OSError as exc:  # SMTP refused or unreachable: nothing is kept, try again later
        raise Unavailable(
            _("the mail could not be sent; nothing was changed, try again later"),
            code="mail_unavailable",
            retry_after=60,
        ) from exc


def open_invitation(raw: str) -> Invitation:
    """The pending invitation behind a link's token; NotFound for an unknown, used or expired
    one (one answer for all three)."""
    found = pending_invitations().filter(digest=_digest(raw)).first()
    if found is None:
        raise NotFound(
            _("this invitation link is not valid any more; ask an admin for a new one"),
            code="invitation_invalid",
        )
    return found


def accept_invitation(raw: str, *, full_name: str, password: str) -> User:
    """Create the invited user with the name and password they chose; the link is used up.
    Audited as user.joined (by the new user)."""
    invitation = open_invitation(raw)
    name = " ".join(full_name.split())
    if not name:
        raise invalid("full_name", full_name, _("is required"), code="full_name_required")
    if len(name) > 150:
        raise invalid(
            "full_name",
            full_name,
            _("must be at most %(max)s characters"),
            code="full_name_too_long",
            max=150,
        )
    check_password(password, User(email=invitation.email, full_name=name))
    user = create_user(
        invitation.email,
        password=password,
        role=invitation.role,
        team_name=invitation.team.name if invitation.team else None,
        full_name=name,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    record_audit(
        user,
        "user.joined",
        target_kind="user",
        target_id=user.pk,
        details={"email": user.email, "role": user.role},
    )
    return user
