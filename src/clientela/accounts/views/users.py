"""The users page: everyone with role, team, status and last sign-in; invitations; one user's
role, team and status; a password-reset link sent by an admin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from clientela.accounts.models import Role, Team, User
from clientela.accounts.services import (
    change_role,
    change_team,
    find_team,
    invite_user,
    pending_invitations,
    send_reset_link,
    set_user_active,
)
from clientela.accounts.services.links import invitation_link, reset_link
from clientela.accounts.views.common import admin_user, field_errors
from clientela.core.errors import Conflict, Invalid, NotFound, Unavailable
from clientela.core.ids import id_from_text, is_id
from clientela.core.pages import page_errors


def _team(text: str) -> Team | None:
    team_id = id_from_text(text)
    return find_team(team_id) if team_id is not None else None


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def users_view(request: HttpRequest) -> HttpResponse:
    """Every user, the invitations still open, and the form to invite someone."""
    by = admin_user(request)
    values = {"email": "", "role": Role.SALES.value, "team": ""}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:254] for name in values}
        try:
            with transaction.atomic():
                invitation = invite_user(
                    values["email"],
                    role=values["role"],
                    team=_team(values["team"]),
                    by=by,
                    link_for=invitation_link(request),
                )
        except (Invalid, Conflict, NotFound, Unavailable) as exc:
            errors, status = field_errors(exc), exc.status
            if "body" in errors:  # an existing user, a lost team: said beside the address
                errors.setdefault("email", []).extend(errors.pop("body"))
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:users")
    context = {
        "users": User.objects.select_related("team").order_by("email"),
        "invitations": pending_invitations(),
        "roles": Role.choices,
        "teams": Team.objects.all(),
        "values": values,
        "errors": errors,
    }
    return render(request, "accounts/users.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def user_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user: role, team, enabled or disabled; or mail them a password-reset link."""
    by = admin_user(request)
    user = (
        User.objects.select_related("team").filter(pk=user_id).first() if is_id(user_id) else None
    )
    if user is None:
        raise NotFound(
            _("no user with id %(id)s"), code="user_id_not_found", params={"id": user_id}
        )
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            with transaction.atomic():
                if request.POST.get("action") == "reset":
                    send_reset_link(user, link_for=reset_link(request), by=by)
                    done = _("A link to choose a new password was sent to %(email)s.")
                else:
                    change_role(user, request.POST.get("role", "")[:20], by=by)
                    change_team(user, _team(request.POST.get("team", "")), by=by)
                    set_user_active(user, active=request.POST.get("is_active") == "on", by=by)
                    done = _("The changes to %(email)s were saved.")
        except (Invalid, Conflict, NotFound, Unavailable) as exc:
            errors, status = field_errors(exc), exc.status
            user.refresh_from_db()
        else:
            messages.success(request, done % {"email": user.email})
            return redirect("accounts:user", user_id=user.pk)
    context = {
        "shown": user,
        "roles": Role.choices,
        "teams": Team.objects.all(),
        "errors": errors,
        "is_self": user.pk == by.pk,
    }
    return render(request, "accounts/user.html", context, status=status)
