"""The teams page: each team with its members; create, rename and delete (when unused)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.accounts.services import create_team, delete_team, find_team, list_teams, rename_team
from clientela.accounts.views.common import admin_user, field_errors
from clientela.core.errors import Conflict, Invalid
from clientela.core.pages import page_errors


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def teams_view(request: HttpRequest) -> HttpResponse:
    """The teams and the form for a new one."""
    by = admin_user(request)
    name, errors, status = "", {}, 200
    if request.method == "POST":
        name = request.POST.get("name", "")[:200]
        try:
            with transaction.atomic():
                team = create_team(name, by=by)
        except Invalid as exc:
            errors, status = field_errors(exc), exc.status
        else:
            messages.success(request, _("Team “%(name)s” was created.") % {"name": team.name})
            return redirect("accounts:teams")
    context = {"teams": list_teams(), "name": name, "errors": errors}
    return render(request, "accounts/teams.html", context, status=status)


@require_POST
@login_required
@page_errors
def team_view(request: HttpRequest, team_id: int) -> HttpResponse:
    """Rename (action=rename) or delete (action=delete) a team; a refusal is shown on the
    teams page, beside the team."""
    by = admin_user(request)
    team = find_team(team_id)
    try:
        with transaction.atomic():
            if request.POST.get("action") == "delete":
                delete_team(team, by=by)
                done = _("Team “%(name)s” was deleted.")
            else:
                rename_team(team, request.POST.get("name", "")[:200], by=by)
                done = _("The team is now called “%(name)s”.")
    except (Invalid, Conflict) as exc:
        context = {
            "teams": list_teams(),
            "name": "",
            "errors": {},
            "team_errors": {team.pk: [m for ms in field_errors(exc).values() for m in ms]},
        }
        return render(request, "accounts/teams.html", context, status=exc.status)
    messages.success(request, done % {"name": team.name})
    return redirect("accounts:teams")
