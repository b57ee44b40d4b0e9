"""Staff pages of privacy: the request queue (staff who may write log new requests), one
request (managers and admins complete or reject it) and its access export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientela.accounts.models import User
from clientela.consent.forms import MAX_NOTE, privacy_request_from
from clientela.consent.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from clientela.consent.services import act_on_request, archive_file, open_request
from clientela.consent.services.privacy import may_act_on_requests, visible_requests
from clientela.core.errors import DomainError, FieldError
from clientela.core.pages import with_value
from clientela.core.requests import current_user
from clientela.parties.models import ContactKind, ContactPoint
from clientela.parties.queries import get_visible_party, search_parties

QUEUE_SIZE = 500
NOT_FOUND = "consent/not_found.html"
PICKER_SIZE = 10  # matches shown when logging a request


@login_required
@require_http_methods(["GET", "POST"])
def privacy_queue(request: HttpRequest) -> HttpResponse:
    """Open requests with their deadlines; staff who may write log new ones here."""
    user = current_user(request)
    errors: list[FieldError] = []
    if request.method == "POST":
        errors = _log_request(request, user)
        if not errors:
            return redirect("consent:privacy_queue")
    status = request.GET.get("status", RequestStatus.OPEN)
    if status not in {"", *RequestStatus.values}:
        status = RequestStatus.OPEN
    context = {
        "rows": visible_requests(user, status=status)[:QUEUE_SIZE],
        "status": status,
        "statuses": RequestStatus.choices,
        "kinds": RequestKind.choices,
        "errors": {e.field: with_value(e) for e in errors},
    }
    return render(request, "consent/privacy_queue.html", context, status=422 if errors else 200)


def _log_request(request: HttpRequest, user: User) -> list[FieldError]:
    """Log the request the form describes; the problems to show next to the fields if not."""
    data, errors = privacy_request_from(request.POST)
    if data is None:
        return errors
    try:
        with transaction.atomic():
            party = get_visible_party(user, data.party_id)
            row = open_request(
                party, kind=data.kind, channel=RequestChannel.STAFF, by=user, note=data.note
            )
    except DomainError as exc:  # not found, not allowed, already erased: about the party
        return exc.errors or [
            FieldError("party_id", data.party_id, exc.message, code=exc.code, params=exc.params)
        ]
    messages.success(request, _("Request #%(id)s logged.") % {"id": row.pk})
    return []


def _erasure_unconfirmed(request: HttpRequest, row: PrivacyRequest) -> bool:
    """Completing an erasure asks first: the first press shows what goes, the second erases."""
    return (
        request.POST.get("action") == "complete"
        and row.kind == RequestKind.ERASURE
        and row.status == RequestStatus.OPEN
        and request.POST.get("confirmed") != "yes"
    )


@login_required
@require_GET
def privacy_party_choices(request: HttpRequest) -> HttpResponse:
    """The people and organizations matching what was typed, to log a request about one."""
    q = request.GET.get("q", "").strip()[:200]
    email = ContactPoint.objects.filter(party=OuterRef("pk"), kind=ContactKind.EMAIL).order_by(
        "-is_primary", "id"
    )
    found = search_parties(current_user(request), q=q).annotate(
        primary_email=Subquery(email.values("value")[:1])
    )
    parties = list(found.order_by("display_name", "id")[:PICKER_SIZE]) if q else []
    return render(request, "consent/_party_choices.html", {"parties": parties, "q": q})


def _visible_request(request: HttpRequest, request_id: int) -> PrivacyRequest | None:
    return visible_requests(current_user(request)).filter(pk=request_id).first()


@login_required
@require_http_methods(["GET", "POST"])
def privacy_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request; managers and admins complete or reject it."""
    user = current_user(request)
    row = _visible_request(request, request_id)
    if row is None:
        return render(request, NOT_FOUND, {}, status=404)
    error, errors = "", {}
    if (
        request.method == "POST"
        and may_act_on_requests(user)
        and _erasure_unconfirmed(request, row)
    ):
        context = {"row": row, "note": request.POST.get("note", "")[:MAX_NOTE]}
        return render(request, "consent/privacy_erasure_confirm.html", context)
    if request.method == "POST":
        try:
            with transaction.atomic():
                act_on_request(
                    row,
                    action=request.POST.get("action", ""),
                    by=user,
                    note=request.POST.get("note", "")[:MAX_NOTE],
                )
        except DomainError as exc:
            errors = {e.field: e.text() for e in exc.errors}
            error = "" if errors else exc.detail
            row.refresh_from_db()
        else:
            messages.success(
                request,
                _("Request #%(id)s is %(status)s.")
                % {"id": row.pk, "status": row.get_status_display()},
            )
            return redirect("consent:privacy_request", request_id=row.pk)
    context = {
        "row": row,
        "error": error,
        "errors": errors,
        "can_act": may_act_on_requests(user),
        "note": request.POST.get("note", "") if errors else "",
    }
    status = 422 if error or errors else 200
    return render(request, "consent/privacy_request.html", context, status=status)


@login_required
@require_GET
def privacy_request_export(request: HttpRequest, request_id: int) -> FileResponse | HttpResponse:
    """The access export of the request's party, as a zip of JSON and CSV."""
    row = _visible_request(request, request_id)
    if row is None:
        return render(request, NOT_FOUND, {}, status=404)
    response = FileResponse(
        archive_file(row.party),
        as_attachment=True,
        filename=f"privacy-request-{row.pk}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response
