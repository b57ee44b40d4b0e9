"""The API tokens page: each user creates and revokes their own; an admin sees and revokes
everyone's. A new token is shown once, on the page that created it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.accounts.models import Right
from clientela.accounts.services import create_token, revoke_token, visible_tokens
from clientela.accounts.views.common import field_errors
from clientela.core.errors import Invalid
from clientela.core.pages import page_errors
from clientela.core.requests import current_user


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def tokens_view(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    created, raw, errors, status = None, "", {}, 200
    if request.method == "POST":
        try:
            with transaction.atomic():
                created, raw = create_token(user, name=request.POST.get("name", "")[:200], by=user)
        except Invalid as exc:
            errors, status = field_errors(exc), exc.status
        else:
            status = 201
    context = {
        "tokens": visible_tokens(user),
        "created": created,
        "raw": raw,
        "errors": errors,
        "sees_all": user.may(Right.ADMINISTER),
    }
    response = render(request, "accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the new token is in this page only
    return response


@require_POST
@login_required
@page_errors
def revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = current_user(request)
    with transaction.atomic():
        token = revoke_token(user, token_id, by=user)
    messages.success(request, _("Token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")
