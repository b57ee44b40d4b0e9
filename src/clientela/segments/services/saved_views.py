"""Saved views of the party list: create, rename, update and delete them.

A view is private to its owner, shared with the owner's team, or shared with everyone (only
managers and admins share with everyone). Its owner changes and deletes it; managers and admins
also change and delete the shared ones. A view only stores the list's parameters: whoever opens
it sees the parties they may see, never the owner's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.core.errors import FieldError, Forbidden, Invalid, NotFound
from clientela.segments.models import SavedView, Sharing
from clientela.segments.schemas import SavedViewCreate, SavedViewUpdate
from clientela.segments.services.listing import (
    DEFAULT_COLUMNS,
    FILTERS,
    ListQuery,
    checked_list_query,
)

# Roles that share views with everyone and look after every shared view.
STEWARDS = frozenset({Role.ADMIN, Role.MANAGER})


def visible_saved_views(user: User) -> QuerySet[SavedView]:
    """The views this user may open: their own, their team's and everyone's."""
    if not user.is_active:
        return SavedView.objects.none()
    rule = Q(owner_id=user.pk) | Q(sharing=Sharing.EVERYONE)
    if user.team_id is not None:
        rule |= Q(sharing=Sharing.TEAM, team_id=user.team_id)
    return SavedView.objects.filter(rule).select_related("owner", "team").order_by("name", "id")


def get_saved_view(user: User, view_id: int) -> SavedView:
    """A view the user may open; NotFound otherwise, so others' private views stay unknown."""
    view = visible_saved_views(user).filter(pk=view_id).first()
    if view is None:
        raise NotFound(
            _("saved view %(id)s not found"), code="saved_view_not_found", params={"id": view_id}
        )
    return view


def can_change_view(view: SavedView, user: User) -> bool:
    """The owner, or a manager or admin for a shared view."""
    if not user.is_active:
        return False
    return view.owner_id == user.pk or (view.sharing != Sharing.PRIVATE and user.role in STEWARDS)


def _require_change(view: SavedView, user: User) -> None:
    if not can_change_view(view, user):
        raise Forbidden(
            _("only the view's owner, or a manager or admin for a shared view, may change it"),
            code="saved_view_change_forbidden",
        )


def _sharing(sharing: str, owner: User, by: User) -> dict[str, Any]:
    """The view's sharing and team; Invalid or Forbidden when `by` may not share it so."""
    if sharing == Sharing.EVERYONE and by.role not in STEWARDS:
        raise Forbidden(
            _("only managers and admins share a view with everyone"),
            code="saved_view_share_forbidden",
        )
    if sharing == Sharing.TEAM:
        if owner.team_id is None:
            raise Invalid(
                FieldError(
                    "sharing",
                    sharing,
                    _("the view's owner is in no team"),
                    code="saved_view_no_team",
                )
            )
        return {"sharing": sharing, "team_id": owner.team_id}
    return {"sharing": sharing, "team_id": None}


def _checked(filters: dict[str, str], columns: list[str], sort: str) -> ListQuery:
    params: dict[str, str] = dict(filters)
    unknown = sorted(set(params) - set(FILTERS))
    if unknown:
        raise Invalid(
            FieldError(
                "filters",
                unknown[0],
                _("is not a filter of the party list"),
                code="saved_view_filter_unknown",
            )
        )
    if columns:
        params["cols"] = ",".join(columns)
    if sort:
        params["sort"] = sort
    return checked_list_query(params)


def create_saved_view(data: SavedViewCreate, *, by: User) -> SavedView:
    """Save the list's filters, columns and sort under a name, owned by `by`."""
    query = _checked(data.filters, data.columns, data.sort)
    return SavedView.objects.create(
        name=data.name,
        owner=by,
        filters=query.filters,
        columns=query.columns,
        sort=query.sort,
        **_sharing(data.sharing, by, by),
    )


def update_saved_view(view: SavedView, data: SavedViewUpdate, *, by: User) -> SavedView:
    """Change what was sent: the name, the sharing, or the list's parameters."""
    _require_change(view, by)
    sent = data.model_fields_set
    if "name" in sent and data.name is not None:
        view.name = data.name
    if "sharing" in sent and data.sharing is not None:
        for name, value in _sharing(data.sharing, view.owner, by).items():
            setattr(view, name, value)
    if sent & {"filters", "columns", "sort"}:
        query = _checked(
            data.filters if data.filters is not None else view.filters,
            data.columns if data.columns is not None else view.columns,
            data.sort if data.sort is not None else view.sort,
        )
        view.filters, view.columns, view.sort = query.filters, query.columns, query.sort
    view.save()
    return view


def delete_saved_view(view: SavedView, *, by: User) -> None:
    """Delete the view (its owner, or a manager or admin for a shared one)."""
    _require_change(view, by)
    view.delete()


def view_query(view: SavedView) -> ListQuery:
    """The list query the view stores."""
    return ListQuery(
        filters=dict(view.filters),
        columns=list(view.columns) or list(DEFAULT_COLUMNS),
        sort=view.sort or ListQuery().sort,
    )


def view_params(view: SavedView) -> str:
    """The list's URL query string that shows the view (its id marks it as chosen)."""
    return urlencode({**view_query(view).params(), "view": str(view.pk)})
