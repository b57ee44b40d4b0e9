"""API and form schemas for segments: what may be written, and what is returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from clientela.core.ids import Id
from clientela.parties.schemas import PartySummaryOut
from clientela.segments.models import SegmentKind


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
