"""API schemas for duplicates and merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from clientela.core.ids import Id
from clientela.dedupe.models import CandidateStatus


class PartyBriefOut(Schema):
    id: int
    kind: str
    display_name: str


class ReasonOut(Schema):
    code: str = Field(description="same_name, similar_name, swapped_names, same_email, …")
    score: int | None = Field(default=None, description="name similarity, 0-100")


class DuplicateOut(Schema):
    id: int
    party_a: PartyBriefOut
    party_b: PartyBriefOut
    score: int = Field(description="0-100; pairs from 80 are proposed")
    reasons: list[ReasonOut]
    is_exact: bool = Field(description="same e-mail or phone and alike names")
    status: CandidateStatus
    found_at: datetime
    decided_at: datetime | None


class DuplicatePage(Schema):
    items: list[DuplicateOut]
    next_cursor: str | None


class DuplicateFilters(Schema):
    status: Literal["open", "not_duplicate"] = Field(
        default="open", description="merged pairs leave the queue: see the survivor's timeline"
    )
    party_id: Id | None = Field(default=None, description="pairs that include this party")
    min_score: int = Field(default=0, ge=0, le=100)
    exact: bool | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class MergeIn(Schema):
    """The path's party survives; `other_id` is merged into it and archived."""

    model_config = ConfigDict(extra="forbid")

    other_id: Id
    choices: dict[str, Literal["survivor", "other"]] = Field(
        default_factory=dict,
        max_length=100,
        description='per field, whose value survives: {"given_name": "other", '
        '"custom.vip": "survivor"}; unchosen fields keep the survivor\'s value, or the '
        "other's when the survivor has none",
    )


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_party_id: int
    at: datetime
    choices: dict[str, str]
    moved: dict[str, int]
    unmerged_at: datetime | None = Field(default=None, description="when it was undone")
    unmerge_until: datetime = Field(description="the merge can be undone until then")
    can_unmerge: bool = Field(description="not undone yet and not older than 30 days")


class MergeConflictOut(Schema):
    field: str = Field(description='a field name, or "custom.<key>"')
    label: str
    survivor: Any = Field(description="this party's value (ids for owner, team, parent)")
    other: Any = Field(description="the other party's value")
    default: str = Field(
        description='whose value is kept when no choice is sent: "survivor", "other" '
        'or (notes) "both"'
    )


class MergeSameOut(Schema):
    field: str
    value: Any


class MergePreviewOut(Schema):
    conflicts: list[MergeConflictOut] = Field(description="a choice for each of these")
    same: list[MergeSameOut] = Field(description="values both parties share, kept as they are")
