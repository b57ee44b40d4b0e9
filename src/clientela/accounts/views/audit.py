"""The audit log page: newest first, narrowed by action, actor and target, a page at a time,
each entry said in the reader's language (accounts.presenters)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from clientela.accounts.models import AuditEntry, User
from clientela.accounts.presenters import describe
from clientela.accounts.services import audit_entries
from clientela.core.ids import id_from_text
from clientela.core.pages import page_errors
from clientela.core.registries import AUDIT_ACTIONS
from clientela.core.requests import current_user

PAGE_SIZE = 50
FILTERS = ("action", "actor", "target_kind", "target_id")


@require_GET
@login_required
@page_errors
def audit_view(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    chosen = {name: request.GET.get(name, "").strip()[:64] for name in FILTERS}
    entries = audit_entries(
        user,
        action=chosen["action"] or None,
        actor=id_from_text(chosen["actor"]),
        target_kind=chosen["target_kind"] or None,
        target_id=chosen["target_id"] or None,
    )
    if chosen["actor"] and id_from_text(chosen["actor"]) is None:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    used = sorted(set(AuditEntry.objects.values_list("action", flat=True).distinct()))
    actions = sorted(set(AUDIT_ACTIONS) | set(used))
    families = sorted({code.split(".")[0] + "." for code in actions})
    actor_ids = AuditEntry.objects.exclude(actor=None).values("actor")
    context = {
        "page": page,
        "entries": [describe(e) for e in page.object_list],
        "chosen": chosen,
        "actions": [*families, *actions],
        "actors": User.objects.filter(pk__in=actor_ids).order_by("email"),
        "query": urlencode({k: v for k, v in chosen.items() if v}),
    }
    return render(request, "accounts/audit.html", context)
