"""Pages: upload a file, check the mapping, preview, import with progress, download rejects;
and CSV exports of what the user can see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.accounts.models import User
from clientela.core.errors import DomainError, Forbidden, NotFound
from clientela.core.htmx import render_page
from clientela.core.pages import invalid_messages
from clientela.imports.models import ImportKind, ImportStatus
from clientela.imports.services import custom_field_names, runs
from clientela.imports.services.exporting import csv_lines, export_rows
from clientela.imports.services.mapping import IGNORE, KINDS, targets_for
from clientela.parties.models import PartyKind, RelationshipRole

MAX_UPLOAD = 1024 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (login_required has let only users through)
    return user


def _writer(request: HttpRequest) -> User:
    user = _user(request)
    if not user.can_write:
        raise Forbidden(_("Your role may not import."))
    return user


def _run(request: HttpRequest, run_id: int) -> runs.ImportRun:
    try:
        return runs.get_run(_user(request), run_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


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
                run = runs.store_upload(upload, name=upload.name or "upload", kind=kind, by=user)
            except DomainError as exc:
                error = exc.detail
            else:
                return redirect("imports:detail", run.pk)
    context = {
        "runs": runs.visible_runs(user)[:50],
        "kinds": ImportKind.choices,
        "error": error,
        "chosen_kind": request.POST.get("kind", "parties"),
    }
    return render_page(request, "imports/list.html", context, status=422 if error else 200)


def _mapping_rows(run: runs.ImportRun) -> list[dict[str, Any]]:
    custom = custom_field_names() if run.kind == ImportKind.PARTIES else {}
    targets = targets_for(run.kind, custom)
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
        "ignore": IGNORE,
        "progress": runs.read_progress(run),
    }
    return render_page(request, "imports/detail.html", context)


def _overrides(request: HttpRequest, run: runs.ImportRun) -> dict[str, str]:
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
        runs.choose_mapping(
            run,
            _overrides(request, run),
            skip_invalid="skip_invalid" in request.POST,
            upsert="upsert" in request.POST,
            by=user,
        )
        rows, summary = runs.preview(run, by=user)
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        context = {
            "run": run,
            "problems": [message for _error, message in invalid_messages(exc)],
            "detail": exc.detail,
        }
        return render_page(request, "imports/_preview.html", context, status=422)
    context = {"run": run, "rows": rows, "summary": summary, "columns": list(run.mapping)}
    return render_page(request, "imports/_preview.html", context)


@login_required
@require_POST
def import_start(request: HttpRequest, run_id: int) -> HttpResponse:
    """Save the mapping and run the import (now, or in the background for a large file)."""
    run = _run(request, run_id)
    try:
        user = _writer(request)
        runs.choose_mapping(
            run,
            _overrides(request, run),
            skip_invalid="skip_invalid" in request.POST,
            upsert="upsert" in request.POST,
            by=user,
        )
        runs.start(run, by=user)
    except Forbidden as exc:
        return _forbidden(request, exc)
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("imports:detail", run.pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment, polled while the import runs."""
    run = _run(request, run_id)
    context = {"run": run, "progress": runs.read_progress(run)}
    return render_page(
        request, "imports/_progress.html", context, fragment="imports/_progress.html"
    )


@login_required
@require_GET
def import_rejects(request: HttpRequest, run_id: int) -> FileResponse:
    """The rejected rows with their reasons, to fix and import again."""
    run = _run(request, run_id)
    if not run.rejects_file:
        raise Http404(_("This import has no rejected rows."))
    path = runs.rejects_path(run)
    if not path.exists():
        raise Http404(_("This import has no rejected rows."))
    stem = run.file_name.rsplit(".", 1)[0]
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{stem}-rejects{path.suffix}"
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _party_filters(request: HttpRequest) -> dict[str, Any]:
    """The party list's filters; values that are not one of the choices are ignored."""
    kind = request.GET.get("kind", "")
    role = request.GET.get("role", "")
    return {
        "q": request.GET.get("q", "")[:200],
        "kind": kind if kind in PartyKind.values else "",
        "role": role if role in RelationshipRole.values else "",
        "tag": request.GET.get("tag", "")[:50],
        "owner_id": _int(request.GET.get("owner")),
        "team_id": _int(request.GET.get("team")),
    }


@login_required
@require_GET
def export_csv(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """A CSV of the parties (with the list's filters), orders or interactions the user can see."""
    if kind not in KINDS:
        raise Http404(kind)
    filters = _party_filters(request)
    columns, rows = export_rows(kind, _user(request), filters=filters)
    response = StreamingHttpResponse(
        csv_lines(columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
