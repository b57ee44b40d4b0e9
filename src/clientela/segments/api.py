"""REST routes for segments: CRUD, members (JSON pages or CSV), live preview, static lists."""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.accounts.models import User
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.parties.presenters import party_summary
from clientela.segments import queries, services
from clientela.segments.models import SavedView, Segment
from clientela.segments.presenters import export_filename, member_csv
from clientela.segments.schemas import (
    BulkIn,
    BulkOut,
    MemberPage,
    PreviewOut,
    RulesIn,
    SavedViewCreate,
    SavedViewOut,
    SavedViewUpdate,
    SegmentCreate,
    SegmentOut,
    SegmentPage,
    SegmentUpdate,
    StaticMemberIn,
)
from clientela.segments.services import bulk_actions, saved_views

router = Router(tags=["segments"])


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def segment_out(segment: Segment, count: int | None) -> dict[str, Any]:
    return {
        "id": segment.pk,
        "name": segment.name,
        "description": segment.description,
        "kind": segment.kind,
        "rules": segment.rules,
        "owner": _ref(segment.owner),
        "team": _ref(segment.team),
        "member_count": count,
        "created_at": segment.created_at,
        "updated_at": segment.updated_at,
    }


class PageFilters(Schema):
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class MemberFilters(PageFilters):
    format: Literal["json", "csv"] = "json"


@router.get("", response=SegmentPage, summary="List segments")
def list_segments(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """Every segment (they are shared), each with the number of members this user may see."""
    page = id_page(
        queries.list_segments(), cursor=filters.cursor, limit=filters.limit, descending=False
    )
    counts = queries.member_counts(page["items"], current_user(request))
    return {**page, "items": [segment_out(s, counts[s.pk]) for s in page["items"]]}


@router.post(
    "", response={201: SegmentOut}, summary="Create a segment", openapi_extra=problems(403)
)
def create(request: HttpRequest, payload: SegmentCreate) -> Status[dict[str, Any]]:
    with transaction.atomic():
        segment = services.create_segment(payload, by=current_user(request))
    counts = queries.member_counts([segment], current_user(request))
    return Status(201, segment_out(queries.get_segment(segment.pk), counts[segment.pk]))


@router.post("/preview", response=PreviewOut, summary="Preview rules")
def preview(request: HttpRequest, payload: RulesIn) -> dict[str, Any]:
    """How many parties these rules select for this user now, and the first few by name."""
    count, first = queries.preview(payload.rules, current_user(request), limit=payload.limit)
    return {"count": count, "members": [party_summary(p) for p in first]}


@router.get("/{segment_id}", response=SegmentOut, summary="Get a segment")
def retrieve(request: HttpRequest, segment_id: int) -> dict[str, Any]:
    segment = queries.get_segment(segment_id)
    return segment_out(segment, queries.member_counts([segment], current_user(request))[segment.pk])


@router.patch(
    "/{segment_id}", response=SegmentOut, summary="Change a segment", openapi_extra=problems(403)
)
def update(request: HttpRequest, segment_id: int, payload: SegmentUpdate) -> dict[str, Any]:
    with transaction.atomic():
        segment = services.update_segment(
            queries.get_segment(segment_id), payload, by=current_user(request)
        )
    return segment_out(segment, queries.member_counts([segment], current_user(request))[segment.pk])


@router.delete(
    "/{segment_id}", response={204: None}, summary="Delete a segment", openapi_extra=problems(403)
)
def delete(request: HttpRequest, segment_id: int) -> Status[None]:
    """The segment and its list go; the parties stay."""
    with transaction.atomic():
        services.delete_segment(queries.get_segment(segment_id), by=current_user(request))
    return Status(204, None)


def _csv(segment: Segment, user: User) -> StreamingHttpResponse:
    parties = queries.export_members(segment, user)  # checks the rules before the response
    response = StreamingHttpResponse(member_csv(parties), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(segment)}"'
    return response


# A members list answered as a file (members.csv, or members with format=csv).
CSV_ANSWER = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get(
    "/{segment_id}/members",
    response=MemberPage,
    summary="A segment's members",
    openapi_extra=problems(
        403, responses=CSV_ANSWER
    ),  # 403: format=csv for a role that may not export
)
def segment_members(request: HttpRequest, segment_id: int, filters: Query[MemberFilters]) -> Any:
    """The members this user may see, computed now, in pages by id; `format=csv` for a file."""
    user = current_user(request)
    segment = queries.get_segment(segment_id)
    if filters.format == "csv":
        return _csv(segment, user)
    parties = queries.with_summary(queries.members(segment, user))
    page = id_page(parties, cursor=filters.cursor, limit=filters.limit, descending=False)
    return {**page, "items": [party_summary(p) for p in page["items"]]}


@router.get(
    "/{segment_id}/members.csv",
    response={200: None},
    summary="A segment's members as CSV",
    openapi_extra=problems(403, responses=CSV_ANSWER),  # 403: a role that may not export
)
def segment_members_csv(request: HttpRequest, segment_id: int) -> StreamingHttpResponse:
    return _csv(queries.get_segment(segment_id), current_user(request))


@router.post(
    "/{segment_id}/static-members",
    response={201: None, 200: None},
    summary="Add to a list",
    openapi_extra=problems(403),
)
def add_member(request: HttpRequest, segment_id: int, payload: StaticMemberIn) -> Status[None]:
    """Put a party you may see on a static list; 200 when it was already there."""
    with transaction.atomic():
        created = services.add_static_member(
            queries.get_segment(segment_id), payload.party_id, by=current_user(request)
        )
    return Status(201 if created else 200, None)


@router.delete(
    "/{segment_id}/static-members/{party_id}",
    response={204: None},
    summary="Remove from a list",
    openapi_extra=problems(403),
)
def remove_member(request: HttpRequest, segment_id: int, party_id: int) -> Status[None]:
    with transaction.atomic():
        services.remove_static_member(
            queries.get_segment(segment_id), party_id, by=current_user(request)
        )
    return Status(204, None)


# Saved views of the party list, mounted at /saved-views; bulk actions at /parties/bulk.
views_router = Router(tags=["saved views"])
bulk_router = Router(tags=["parties"])


def saved_view_out(view: SavedView, user: User) -> dict[str, Any]:
    return {
        "id": view.pk,
        "name": view.name,
        "sharing": view.sharing,
        "owner": _ref(view.owner),
        "team": _ref(view.team),
        "filters": view.filters,
        "columns": view.columns,
        "sort": view.sort,
        "url": f"{reverse('parties:list')}?{saved_views.view_params(view)}",
        "may_change": saved_views.can_change_view(view, user),
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


@views_router.get("", response=list[SavedViewOut], summary="List saved views")
def list_saved_views(request: HttpRequest) -> list[dict[str, Any]]:
    """Your views, your team's and everyone's, by name."""
    user = current_user(request)
    return [saved_view_out(v, user) for v in saved_views.visible_saved_views(user)]


@views_router.post(
    "",
    response={201: SavedViewOut},
    summary="Save a view",
    openapi_extra=problems(403),  # 403: sharing with everyone, for other roles than manager/admin
)
def create_saved_view(request: HttpRequest, payload: SavedViewCreate) -> Status[dict[str, Any]]:
    user = current_user(request)
    with transaction.atomic():
        view = saved_views.create_saved_view(payload, by=user)
    return Status(201, saved_view_out(view, user))


@views_router.get("/{view_id}", response=SavedViewOut, summary="Get a saved view")
def retrieve_saved_view(request: HttpRequest, view_id: int) -> dict[str, Any]:
    user = current_user(request)
    return saved_view_out(saved_views.get_saved_view(user, view_id), user)


@views_router.patch(
    "/{view_id}",
    response=SavedViewOut,
    summary="Change a saved view",
    openapi_extra=problems(403),
)
def update_saved_view(
    request: HttpRequest, view_id: int, payload: SavedViewUpdate
) -> dict[str, Any]:
    user = current_user(request)
    with transaction.atomic():
        view = saved_views.update_saved_view(
            saved_views.get_saved_view(user, view_id), payload, by=user
        )
    return saved_view_out(view, user)


@views_router.delete(
    "/{view_id}",
    response={204: None},
    summary="Delete a saved view",
    openapi_extra=problems(403),
)
def delete_saved_view(request: HttpRequest, view_id: int) -> Status[None]:
    user = current_user(request)
    with transaction.atomic():
        saved_views.delete_saved_view(saved_views.get_saved_view(user, view_id), by=user)
    return Status(204, None)


@bulk_router.post(
    "/bulk",
    response=BulkOut,
    summary="Act on many parties",
    openapi_extra=problems(403, 404, responses=CSV_ANSWER),  # 404: the static list
)
def bulk_action(request: HttpRequest, payload: BulkIn) -> Any:
    """Tag, untag, assign, put on a static list or export (CSV) the parties named by `ids`, or
    every party `filter` selects; only parties you may see. One transaction, one audit entry."""
    user = current_user(request)
    with transaction.atomic():
        result = bulk_actions.run_bulk_action(payload, by=user)
    if result.parties is not None:
        response = StreamingHttpResponse(
            member_csv(result.parties), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="parties.csv"'
        return response
    return {
        "action": result.action,
        "selected": result.selected,
        "changed": result.changed,
        "audit_id": result.audit_id,
    }
