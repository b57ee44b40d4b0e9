"""API and form schemas for segments: what may be written, and what is returned."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from clientela.core.ids import Id
from clientela.parties.schemas import PartySummaryOut
from clientela.segments.models import SegmentKind, Sharing


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SegmentCreate(_Strict):
    name: str = Field(min_length=1, max_length=150)
    description: str = Field(default="", max_length=2000)
    kind: SegmentKind = SegmentKind.RULES
    rules: dict[str, Any] | None = Field(
        default=None,
        description='the rule tree, e.g. {"all": [{"field": "tier", "op": "eq", "value": "gold"}]}'
        "; see docs/segments.md. Left out for a static list.",
    )


class SegmentUpdate(_Strict):
    """Only the fields sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=150)
    description: str | None = Field(default=None, max_length=2000)
    rules: dict[str, Any] | None = None


class RulesIn(_Strict):
    rules: dict[str, Any]
    limit: int = Field(default=10, ge=0, le=50, description="how many members to return")


class StaticMemberIn(_Strict):
    party_id: Id


class Ref(Schema):
    id: int
    name: str


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: SegmentKind
    rules: dict[str, Any]
    owner: Ref | None
    team: Ref | None
    member_count: int | None = Field(
        description="members this user may see right now; null when the rules need fixing"
    )
    created_at: datetime
    updated_at: datetime


class SegmentPage(Schema):
    items: list[SegmentOut]
    next_cursor: str | None


class MemberPage(Schema):
    items: list[PartySummaryOut]
    next_cursor: str | None


class PreviewOut(Schema):
    count: int
    members: list[PartySummaryOut]


class SavedViewCreate(_Strict):
    name: str = Field(min_length=1, max_length=100)
    sharing: Sharing = Sharing.PRIVATE
    filters: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="the list's filters by their URL names: q, kind, role, tag, owner, team, "
        "lifecycle, tier, segment (see docs/lists.md)",
    )
    columns: list[str] = Field(
        default_factory=list, max_length=20, description="column keys; empty: the default ones"
    )
    sort: str = Field(default="", max_length=40, description='a column key, "-" first: descending')


class SavedViewUpdate(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    sharing: Sharing | None = None
    filters: dict[str, str] | None = Field(default=None, max_length=20)
    columns: list[str] | None = Field(default=None, max_length=20)
    sort: str | None = Field(default=None, max_length=40)


class SavedViewOut(Schema):
    id: int
    name: str
    sharing: Sharing
    owner: dict[str, Any] | None
    team: dict[str, Any] | None
    filters: dict[str, str]
    columns: list[str]
    sort: str
    url: str
    may_change: bool
    created_at: datetime
    updated_at: datetime


class BulkAction(StrEnum):
    TAG = "tag"
    UNTAG = "untag"
    ASSIGN = "assign"
    LIST = "list"
    EXPORT = "export"


# The most ids one request may name; a larger selection is sent as its filter.
MAX_BULK_IDS = 5000


class BulkIn(_Strict):
    action: BulkAction
    ids: list[Id] | None = Field(
        default=None, max_length=MAX_BULK_IDS, description="the chosen parties; or send `filter`"
    )
    filter: dict[str, str] | None = Field(
        default=None,
        max_length=20,
        description="every visible party the list's filters select (the URL names, as in "
        "saved views); {} selects every visible party",
    )
    tag: str | None = Field(default=None, max_length=50, description="tag, untag")
    owner_id: Id | None = Field(default=None, description="assign: the owner (null: nobody)")
    team_id: Id | None = Field(default=None, description="assign: the team (null: none)")
    segment_id: Id | None = Field(default=None, description="list: the static list")


class BulkOut(Schema):
    action: BulkAction
    selected: int
    changed: int
    audit_id: int
