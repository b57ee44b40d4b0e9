"""Password resets by e-mail: a link that works once, for CLIENTELA_PASSWORD_RESET_HOURS.

The link is Django's password-reset token (an HMAC of the user's id, password hash, last
sign-in and the time): it dies once the password changes, on the next sign-in, and at expiry;
a disabled user's link opens nothing. Asking for one answers the same for every address, known
or not, and is throttled per address and per client (accounts.services.throttle).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.company import company_settings
from clientela.accounts.services.invitations import send_staff_mail
from clientela.accounts.services.rights import require_right
from clientela.accounts.services.throttle import Limit, count_hit, refuse_if_throttled
from clientela.accounts.services.users import check_password
from clientela.core.errors import NotFound

PASSWORD_RESET = "password_reset"  # noqa: S105  (a door's name, not a secret)

# (uid, token) -> the absolute address of the reset page.
ResetLinkFor = Callable[[str, str], str]


def reset_limit() -> Limit:
    return Limit(
        per_account=settings.CLIENTELA_PASSWORD_RESET_MAX,
        per_address=settings.CLIENTELA_PASSWORD_RESET_MAX * 4,
        seconds=settings.CLIENTELA_SIGNIN_WINDOW_SECONDS,
    )


def request_password_reset(email: str, *, address: str, link_for: ResetLinkFor) -> None:
    """Mail a reset link to the active user with this address, if there is one. Returns the
    same (nothing) either way; Throttled when this address or client asked too often."""
    account = email.strip().lower()[:254]
    refuse_if_throttled(PASSWORD_RESET, account=account, address=address, limit=reset_limit())
    count_hit(PASSWORD_RESET, account=account, address=address)
    user = User.objects.filter(email=account, is_active=True).first()
    if user is not None:
        send_reset_link(user, link_for=link_for)


def send_reset_link(user: User, *, link_for: ResetLinkFor, by: User | None = None) -> None:
    """Mail the user a reset link (`by`: an admin who sent it from the users page, audited)."""
    if by is not None:
        require_right(by, Right.ADMINISTER)
        record_audit(
            by,
            "user.password_reset_sent",
            target_kind="user",
            target_id=user.pk,
            details={"email": user.email},
        )
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = link_for(uid, default_token_generator.make_token(user))
    with override(user.language or company_settings().language):
        subject = gettext("Choose a new password for Clientela")
        body = gettext(
            "Hello,\n\nSomeone (we hope you) asked to choose a new password for %(email)s on "
            "Clientela.\n\nOpen this link to choose it (it works once, for %(hours)s hours):"
            "\n\n%(link)s\n\nIf it was not you, ignore this message: your password stays as "
            "it is.\n"
        ) % {
            "email": user.email,
            "hours": settings.CLIENTELA_PASSWORD_RESET_HOURS,
            "link": link,
        }
    send_staff_mail(subject, body, user.email)


def user_for_reset(uid: str, token: str) -> User:
    """The active user a reset link is for; NotFound for a bad, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        pk = 0
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise NotFound(
            _("this link to choose a new password is not valid any more; ask for a new one"),
            code="password_reset_invalid",
        )
    return user


def reset_password(uid: str, token: str, *, password: str) -> User:
    """Set the new password (the link is used up by it); audited as user.password_reset."""
    user = user_for_reset(uid, token)
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit(
        user,
        "user.password_reset",
        target_kind="user",
        target_id=user.pk,
        details={"email": user.email},
    )
    return user
