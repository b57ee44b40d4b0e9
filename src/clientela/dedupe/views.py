"""Review queue pages: the list of likely duplicate pairs, one pair side by side, decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from clientela.accounts.models import Right
from clientela.accounts.services import require_right
from clientela.core.errors import Conflict, Invalid
from clientela.core.htmx import render_page
from clientela.core.pages import invalid_messages, page_errors
from clientela.core.requests import current_user
from clientela.dedupe.models import CandidateStatus, MergeRecord
from clientela.dedupe.presenters import merge_context, pair_row, review_context
from clientela.dedupe.schemas import DuplicateFilters
from clientela.dedupe.services import (
    UNMERGE_DAYS,
    can_unmerge,
    candidate_page,
    get_candidate,
    get_merge,
    mark_not_duplicate,
    merge_candidate,
    unmerge,
    unmerge_deadline,
    visible_candidates,
)
from clientela.parties.queries import visible_parties
from clientela.parties.services.merging import OTHER, SURVIVOR, differing_fields

PAGE_SIZE = 50
CHOICE = "choices."  # where a merge's Invalid names a field choice


@require_GET
@login_required
@page_errors
def queue(request: HttpRequest) -> HttpResponse:
    """The pairs to review, best score first; htmx gets only the rows."""
    raw = {k: request.GET.get(k, "").strip() for k in ("status", "min_score", "cursor")}
    try:
        filters = DuplicateFilters.model_validate(
            {
                "status": raw["status"] or CandidateStatus.OPEN,
                "min_score": raw["min_score"] or 0,
                "cursor": raw["cursor"] or None,
                "limit": PAGE_SIZE,
            }
        )
    except ValidationError:
        filters = DuplicateFilters(limit=PAGE_SIZE)
    user = current_user(request)
    rows = visible_candidates(user, status=filters.status, min_score=filters.min_score)
    try:
        page = candidate_page(rows, cursor=filters.cursor, limit=PAGE_SIZE)
    except Invalid:  # a cursor from an edited address: start again from the top
        page = candidate_page(rows, cursor=None, limit=PAGE_SIZE)
    context = {
        "rows": [pair_row(p) for p in page["items"]],
        "next_cursor": page["next_cursor"],
        "filters": {"status": filters.status, "min_score": filters.min_score or ""},
        "statuses": [
            (CandidateStatus.OPEN.value, CandidateStatus.OPEN.label),
            (CandidateStatus.NOT_DUPLICATE.value, CandidateStatus.NOT_DUPLICATE.label),
        ],
    }
    return render_page(request, "dedupe/queue.html", context, fragment="dedupe/_rows.html")


@require_GET
@login_required
@page_errors
def review(request: HttpRequest, pair_id: int) -> HttpResponse:
    """The two parties side by side, with a choice for each field on which they differ."""
    pair = get_candidate(current_user(request), pair_id)
    return render_page(request, "dedupe/review.html", review_context(pair))


@require_POST
@login_required
@page_errors
def merge(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Merge the pair: the party chosen as survivor keeps the values chosen per field."""
    user = current_user(request)
    pair = get_candidate(user, pair_id)
    keep = request.POST.get("survivor", "a")
    if keep not in ("a", "b"):
        keep = "a"
    survivor_id = pair.party_a_id if keep == "a" else pair.party_b_id
    choices = {}
    for choice in differing_fields(pair.party_a, pair.party_b):
        side = request.POST.get(f"field:{choice.name}")
        if side in ("a", "b"):
            choices[choice.name] = SURVIVOR if side == keep else OTHER
    try:
        with transaction.atomic():
            record = merge_candidate(pair, survivor_id=survivor_id, choices=choices, by=user)
    except (Invalid, Conflict) as exc:
        # A problem with one field's choice is shown on that field's row, the rest above.
        by_field: dict[str, str] = {}
        problems: list[str] = []
        for error, message in invalid_messages(exc):
            if error.field.startswith(CHOICE):
                by_field[error.field.removeprefix(CHOICE)] = message
            else:
                problems.append(message)
        context = review_context(pair)
        for row in context["fields"]:
            row["error"] = by_field.pop(row["choice"].name, "")
        context["problems"] = problems + list(by_field.values())
        return render_page(request, "dedupe/review.html", context, status=422)
    messages.success(
        request,
        _(
            "%(merged)s was merged into %(survivor)s. The merge can be undone for %(days)s "
            "days from Duplicates, Recent merges."
        )
        % {
            "merged": record.merged_name,
            "survivor": record.survivor.display_name,
            "days": UNMERGE_DAYS,
        },
    )
    return redirect("parties:detail", party_id=record.survivor_id)


@require_POST
@login_required
@page_errors
def not_duplicate(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Dismiss the pair; it will not be proposed again."""
    user = current_user(request)
    pair = get_candidate(user, pair_id)
    try:
        with transaction.atomic():
            mark_not_duplicate(pair, by=user)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("dedupe:review", pair_id=pair.pk)
    messages.success(request, _("The pair was marked as not a duplicate."))
    return redirect("dedupe:queue")


@require_GET
@login_required
@page_errors
def merges(request: HttpRequest) -> HttpResponse:
    """The latest merges of parties the user may see, each with its way back for 30 days."""
    user = current_user(request)
    require_right(user, Right.MERGE)  # refused as everywhere else: merge_forbidden
    rows = (
        MergeRecord.objects.filter(survivor__in=visible_parties(user))
        .select_related("survivor", "by")
        .defer("snapshot")[:PAGE_SIZE]
    )
    context = {"rows": [{"record": r, "can_unmerge": _undoable(r)} for r in rows]}
    return render_page(request, "dedupe/merges.html", context)


@require_GET
@login_required
@page_errors
def merge_detail(request: HttpRequest, merge_id: int) -> HttpResponse:
    """One merge: whose value each field kept, what moved, and the unmerge button."""
    record = get_merge(current_user(request), merge_id)
    context = merge_context(record, can_unmerge=can_unmerge(record), until=unmerge_deadline(record))
    return render_page(request, "dedupe/merge.html", context)


@require_POST
@login_required
@page_errors
def unmerge_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo the merge; a refusal (too old, a conflicting edit) is shown on the merge's page."""
    user = current_user(request)
    try:
        with transaction.atomic():
            record = unmerge(merge_id, by=user)
    except Conflict as exc:
        messages.error(request, exc.detail)
        return redirect("dedupe:merge_detail", merge_id=merge_id)
    messages.success(
        request,
        _("The merge was undone: %(name)s is a separate party again.")
        % {"name": record.merged_name},
    )
    return redirect("parties:detail", party_id=record.survivor_id)


def _undoable(record: MergeRecord) -> bool:
    """Whether the list offers the way back (the snapshot is not loaded for the list)."""
    return record.unmerged_at is None and timezone.now() <= unmerge_deadline(record)  # type: ignore[operator]  # a datetime
