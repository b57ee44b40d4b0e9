"""The party list people work with: sortable, chosen columns, filters in the URL, saved views
beside it, and bulk actions on the chosen parties or on every party the filters select.

Mounted by the shell under /parties/ in the "parties" namespace (`parties:list`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.analytics.models import LifecycleState
from clientela.core.errors import Conflict, Forbidden, Invalid, NotFound
from clientela.core.htmx import render_page
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.parties import queries as party_queries
from clientela.parties.models import PartyKind, RelationshipRole
from clientela.segments.models import SavedView, Segment, SegmentKind, Sharing
from clientela.segments.presenters import list_row, member_csv
from clientela.segments.schemas import BulkAction, BulkIn, SavedViewCreate, SavedViewUpdate
from clientela.segments.services import bulk_actions, can_change, saved_views
from clientela.segments.services.listing import (
    Column,
    ListQuery,
    column_groups,
    columns,
    feature_descriptions,
    feature_params,
    parse_list_query,
    shown_parties,
)

PAGE_SIZE = 50
INLINE_ERRORS = frozenset({"q", "owner", "team", "cols"})
# Columns whose first click sorts the largest or latest first.
DESCENDING_FIRST = frozenset({"created", "last_interaction", "clv", "p_alive", "last_order"})


def _params(data: QueryDict) -> dict[str, Any]:
    """The list's parameters from a query string; columns come as `cols=a,b` or `cols=a&cols=b`."""
    params: dict[str, Any] = {k: data.get(k, "") for k in data}
    chosen = [c for value in data.getlist("cols") for c in value.split(",") if c.strip()]
    if chosen:
        params["cols"] = ",".join(chosen)
    return params


@require_GET
@login_required
def party_list(request: HttpRequest) -> HttpResponse:
    """The visible parties, filtered, sorted and shown in the chosen columns; htmx gets the rows."""
    user = current_user(request)
    available = columns()
    query, errors = parse_list_query(_params(request.GET), available=available)
    parties, refused = shown_parties(user, query)
    errors += refused
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    views = list(saved_views.visible_saved_views(user))
    chosen_id = id_from_text(request.GET.get("view"))
    current = next((v for v in views if v.pk == chosen_id), None)
    filter_errors: dict[str, list[str]] = {}
    for error, message in invalid_messages(Invalid(errors)) if errors else []:
        filter_errors.setdefault(error.field, []).append(message)
    context = {
        "page": page,
        "rows": [list_row(p, query.columns) for p in page.object_list],
        "list_query": query,
        "headers": _headers(query, available),
        "column_groups": column_groups(available),
        "filters": {
            name: query.filters.get(name, "")
            for name in (
                "q",
                "kind",
                "role",
                "tag",
                "owner",
                "team",
                "lifecycle",
                "tier",
                "segment",
            )
        },
        "filter_errors": filter_errors,
        # Errors of the parameters that have no field of their own on the page.
        "other_errors": [
            m for name, ms in filter_errors.items() if name not in INLINE_ERRORS for m in ms
        ],
        "is_filtered": bool(query.filters),
        "feature_filters": feature_descriptions(query),
        "feature_values": {p: query.filters[p] for p in feature_params() if p in query.filters},
        "without_features": urlencode(
            {k: v for k, v in query.params().items() if k not in feature_params()}
        ),
        "query": urlencode(query.params()),
        "here": urlencode(query.params()),
        "cols_param": query.params().get("cols", ""),
        "kinds": PartyKind.choices,
        "roles": RelationshipRole.choices,
        "lifecycles": LifecycleState.choices,
        "owners": party_queries.assignable_users(),
        "teams": party_queries.teams(),
        "tags": party_queries.tag_names(),
        "static_lists": _static_lists(user),
        "saved_views": [_view_item(v, user) for v in views],
        "current_view": _view_item(current, user) if current else None,
        "sharings": _sharings(user),
    }
    return render_page(
        request, "segments/party_list.html", context, fragment="segments/_party_rows.html"
    )


def _headers(query: ListQuery, available: dict[str, Column]) -> list[dict[str, Any]]:
    headers = []
    for key in query.columns:
        column = available[key]
        entry: dict[str, Any] = {"key": key, "label": column.label, "sorted": ""}
        if column.sort is not None:
            if query.sort_key == key:
                entry["sorted"] = "descending" if query.descending else "ascending"
                following = key if query.descending else f"-{key}"
            else:
                following = f"-{key}" if key in DESCENDING_FIRST else key
            params = {**query.params(), "sort": following}
            entry["url"] = "?" + urlencode(params)
        headers.append(entry)
    return headers


def _static_lists(user: User) -> list[Segment]:
    lists = Segment.objects.filter(kind=SegmentKind.STATIC).order_by("name", "id")
    return [s for s in lists if can_change(s, user)]


def _sharings(user: User) -> list[tuple[str, str]]:
    allowed = [Sharing.PRIVATE]
    if user.team_id is not None:
        allowed.append(Sharing.TEAM)
    if user.role in saved_views.STEWARDS:
        allowed.append(Sharing.EVERYONE)
    return [(s.value, str(s.label)) for s in allowed]


def _view_item(view: SavedView, user: User) -> dict[str, Any]:
    return {
        "view": view,
        "url": f"{reverse('parties:list')}?{saved_views.view_params(view)}",
        "may_change": saved_views.can_change_view(view, user),
        "sharing_label": Sharing(view.sharing).label,
    }


def _back(request: HttpRequest, **extra: Any) -> HttpResponse:
    params = _params(QueryDict(request.POST.get("list_query", "")[:4000]))
    query, _errors = parse_list_query(params)
    shown = {**query.params(), **{k: v for k, v in extra.items() if v}}
    return redirect(f"{reverse('parties:list')}?{urlencode(shown)}" if shown else "parties:list")


def _show_errors(request: HttpRequest, pairs: list[tuple[Any, str]]) -> None:
    for error, message in pairs:
        messages.error(request, f"{error.field}: {message}" if error.field != "body" else message)


@require_POST
@login_required
def party_bulk(request: HttpRequest) -> HttpResponseBase:
    """One bulk action, in one transaction with its audit entry; back to the same list."""
    try:
        return _bulk(request)
    except NotFound as exc:  # page_errors is typed for plain responses; same mapping here
        raise Http404(exc.detail) from exc
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc


def _bulk(request: HttpRequest) -> HttpResponseBase:
    user = current_user(request)
    view_id = request.POST.get("view", "")
    data: dict[str, Any] = {"action": request.POST.get("action", "")}
    if request.POST.get("scope") == "all":
        params = _params(QueryDict(request.POST.get("list_query", "")[:4000]))
        data["filter"] = {
            k: str(v) for k, v in params.items() if k not in ("cols", "sort", "page", "view")
        }
    else:
        data["ids"] = request.POST.getlist("ids")[: 5000 + 1]
    action = data["action"]
    if action in (BulkAction.TAG, BulkAction.UNTAG):
        data["tag"] = request.POST.get("tag", "")
    if action == BulkAction.LIST:
        data["segment_id"] = request.POST.get("segment") or None
    if action == BulkAction.ASSIGN:
        for name in ("owner", "team"):
            value = request.POST.get(name, "")
            if value == "none":
                data[f"{name}_id"] = None
            elif value:
                data[f"{name}_id"] = value
    try:
        payload = BulkIn.model_validate(data)
        with transaction.atomic():
            result = bulk_actions.run_bulk_action(payload, by=user)
    except ValidationError as exc:
        _show_errors(request, pydantic_messages(exc))
        return _back(request, view=view_id)
    except (Invalid, Conflict) as exc:
        _show_errors(request, invalid_messages(exc))
        return _back(request, view=view_id)
    if result.parties is not None:
        response = StreamingHttpResponse(
            member_csv(result.parties), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="parties.csv"'
        return response
    messages.success(
        request,
        _("%(changed)s of %(selected)s parties were changed.")
        % {"changed": result.changed, "selected": result.selected},
    )
    return _back(request, view=view_id)


@require_POST
@login_required
@page_errors
def saved_view_new(request: HttpRequest) -> HttpResponse:
    """Save the list as it is now (its filters, columns and sort) under a name."""
    user = current_user(request)
    query, _errors = parse_list_query(_params(QueryDict(request.POST.get("list_query", "")[:4000])))
    try:
        payload = SavedViewCreate.model_validate(
            {
                "name": request.POST.get("name", ""),
                "sharing": request.POST.get("sharing") or Sharing.PRIVATE,
                "filters": query.filters,
                "columns": query.columns,
                "sort": query.sort,
            }
        )
        with transaction.atomic():
            view = saved_views.create_saved_view(payload, by=user)
    except ValidationError as exc:
        _show_errors(request, pydantic_messages(exc))
        return _back(request)
    except Invalid as exc:
        _show_errors(request, invalid_messages(exc))
        return _back(request)
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(f"{reverse('parties:list')}?{saved_views.view_params(view)}")


@require_POST
@login_required
@page_errors
def saved_view_edit(request: HttpRequest, view_id: int) -> HttpResponse:
    """Rename or re-share a view, or store the list as it is now in it."""
    user = current_user(request)
    view = saved_views.get_saved_view(user, view_id)
    data: dict[str, Any] = {}
    if "name" in request.POST:
        data["name"] = request.POST["name"]
    if request.POST.get("sharing"):
        data["sharing"] = request.POST["sharing"]
    if request.POST.get("replace"):
        params = _params(QueryDict(request.POST.get("list_query", "")[:4000]))
        query, _errors = parse_list_query(params)
        data.update(filters=query.filters, columns=query.columns, sort=query.sort)
    try:
        payload = SavedViewUpdate.model_validate(data)
        with transaction.atomic():
            view = saved_views.update_saved_view(view, payload, by=user)
    except ValidationError as exc:
        _show_errors(request, pydantic_messages(exc))
    except Invalid as exc:
        _show_errors(request, invalid_messages(exc))
    else:
        messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(f"{reverse('parties:list')}?{saved_views.view_params(view)}")


@require_POST
@login_required
@page_errors
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    user = current_user(request)
    view = saved_views.get_saved_view(user, view_id)
    with transaction.atomic():
        saved_views.delete_saved_view(view, by=user)
    messages.success(request, _("The view “%(name)s” was deleted.") % {"name": view.name})
    return redirect("parties:list")
