"""Pages: upload a file, check the mapping, preview, import with progress, download rejects;
and CSV exports of what the user can see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.http import content_disposition_header as content_disposition
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.accounts.models import Right, User
from clientela.accounts.services import company_settings, require_right
from clientela.core.errors import DomainError, Forbidden, NotFound
from clientela.core.htmx import render_page
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages
from clientela.core.requests import current_user
from clientela.imports import presenters, services
from clientela.imports.models import ImportKind, ImportRun, ImportStatus
from clientela.parties.models import PartyKind, RelationshipRole

MAX_UPLOAD = 1024 * 1024 * 1024


def _writer(request: HttpRequest) -> User:
    user = current_user(request)
    require_right(user, Right.IMPORT)
    return user


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    try:
        return services.get_run(current_user(request), run_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def _messages(exc: DomainError) -> list[str]:
    """A service's refusal as lines in the reader's language, each with the value it is about."""
    return [message for _error, message in invalid_messages(exc)]


def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return render_page(request, "imports/forbidden.html", {"message": exc.detail}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """The imports so far, and the form to upload a file."""
    try:
        user = _writer(request)
    except Forbidden as exc:
        return _forbidden(request, exc)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None:
            error = _("Choose a file to import.")
        elif upload.size and upload.size > MAX_UPLOAD:
            error = _("The file is larger than 1 GB.")
        else:
            try:
                run = services.store_upload(
                    upload, name=upload.name or "upload", kind=kind, by=user
                )
            except DomainError as exc:
                error = "; ".join(_messages(exc))
            else:
                return redirect("imports:detail", run.pk)
    context = {
        "runs": services.visible_runs(user)[:50],
        "kinds": ImportKind.choices,
        "error": error,
        "chosen_kind": request.POST.get("kind", "parties"),
    }
    return render_page(request, "imports/list.html", context, status=422 if error else 200)


def _mapping_rows(run: ImportRun) -> list[dict[str, Any]]:
    custom = services.custom_field_names() if run.kind == ImportKind.PARTIES else {}
    targets = services.targets_for(run.kind, custom)
    return [
        {"position": i, "column": column, "target": target, "targets": targets}
        for i, (column, target) in enumerate(run.mapping.items())
    ]


@login_required
@require_GET
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """Mapping and preview before the import; progress while it runs; the result after."""
    run = _run(request, run_id)
    context = {
        "run": run,
        "mapping": _mapping_rows(run) if run.status == ImportStatus.UPLOADED else [],
        "ignore": services.IGNORE,
        "date_formats": services.DATE_FORMATS,
        # A locale for each way of writing 1234.56: the first is enough to read the file.
        "locales": [("pt-PT", "1.234,56 (pt, es, it…)"), ("en-US", "1,234.56 (en-US, en-GB…)")],
        "company": company_settings(),
        **_result(run),
    }
    return render_page(request, "imports/detail.html", context)


def _result(run: ImportRun) -> dict[str, Any]:
    """How far the run is, and what came of it, in the reader's language."""
    return {
        "progress": services.read_progress(run),
        "problems": presenters.run_problems(run),
        "errors": presenters.run_error(run),
    }


def _overrides(request: HttpRequest, run: ImportRun) -> dict[str, str]:
    columns = list(run.mapping)
    overrides = {}
    for i, column in enumerate(columns):
        value = request.POST.get(f"map-{i}")
        if value is not None:
            overrides[column] = value
    return overrides


@login_required
@require_POST
def import_preview(request: HttpRequest, run_id: int) -> HttpResponse:
    """The first rows with their problems, under the mapping chosen on the page."""
    run = _run(request, run_id)
    try:
        user = _writer(request)
        services.choose_mapping(
            run,
            _overrides(request, run),
            skip_invalid="skip_invalid" in request.POST,
            upsert="upsert" in request.POST,
            by=user,
            date_format=request.POST.get("date_format", "")[:20],
            locale=request.POST.get("locale", "")[:20],
        )
        rows, summary = services.preview(run, by=user)
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        context = {"run": run, "problems": _messages(exc), "detail": exc.detail}
        return render_page(request, "imports/_preview.html", context, status=422)
    context = {
        "run": run,
        "rows": presenters.shown_preview(rows),
        "summary": summary,
        "columns": list(run.mapping),
    }
    return render_page(request, "imports/_preview.html", context)


@login_required
@require_POST
def import_start(request: HttpRequest, run_id: int) -> HttpResponse:
    """Save the mapping and run the import (now, or in the background for a large file)."""
    run = _run(request, run_id)
    try:
        user = _writer(request)
        services.choose_mapping(
            run,
            _overrides(request, run),
            skip_invalid="skip_invalid" in request.POST,
            upsert="upsert" in request.POST,
            by=user,
            date_format=request.POST.get("date_format", "")[:20],
            locale=request.POST.get("locale", "")[:20],
        )
        services.start(run, by=user)
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        for message in _messages(exc):
            messages.error(request, message)
    return redirect("imports:detail", run.pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment, polled while the import runs."""
    run = _run(request, run_id)
    context = {"run": run, **_result(run)}
    return render_page(
        request, "imports/_progress.html", context, fragment="imports/_progress.html"
    )


@login_required
@require_GET
def import_rejects(request: HttpRequest, run_id: int) -> StreamingHttpResponse:
    """The rejected rows with their reasons in the reader's language, to fix and import
    again."""
    run = _run(request, run_id)
    path = services.rejects_path(run)
    if not run.rejects_file or not path.exists():
        raise Http404(_("This import has no rejected rows."))
    stem = run.file_name.rsplit(".", 1)[0]
    is_csv = path.suffix == ".csv"
    response = StreamingHttpResponse(
        services.shown_rejects(path, run.format),
        content_type="text/csv; charset=utf-8" if is_csv else "application/x-ndjson",
    )
    response["Content-Disposition"] = (
        content_disposition(as_attachment=True, filename=f"{stem}-rejects{path.suffix}") or ""
    )
    return response


def _party_filters(request: HttpRequest) -> dict[str, Any]:
    """The party list's filters; values that are not one of the choices are ignored."""
    kind = request.GET.get("kind", "")
    role = request.GET.get("role", "")
    return {
        "q": request.GET.get("q", "")[:200],
        "kind": kind if kind in PartyKind.values else "",
        "role": role if role in RelationshipRole.values else "",
        "tag": request.GET.get("tag", "")[:50],
        "owner_id": id_from_text(request.GET.get("owner")),
        "team_id": id_from_text(request.GET.get("team")),
    }


@login_required
@require_GET
def export_csv(request: HttpRequest, kind: str) -> HttpResponseBase:
    """A CSV of the parties (with the list's filters), orders or interactions the user can see,
    for the roles that may export (403 for the others)."""
    if kind not in services.KINDS:
        raise Http404(kind)
    filters = _party_filters(request)
    try:
        columns, rows = services.export_rows(kind, current_user(request), filters=filters)
    except Forbidden as exc:
        return _forbidden(request, exc)
    response = StreamingHttpResponse(
        services.csv_lines(columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
