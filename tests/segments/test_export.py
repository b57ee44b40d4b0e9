"""CSV export of a segment's members: visible members only, formula cells neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from clientela.accounts.models import Right, Role, User
from clientela.segments import queries, services
from clientela.segments.models import Segment
from clientela.segments.presenters import member_csv
from clientela.segments.schemas import SegmentCreate
from tests.conftest import Grant
from tests.factories import make_party
from tests.segments.helpers import cond, metrics

pytestmark = pytest.mark.django_db


def _export(segment: Segment, user: User) -> list[dict[str, str]]:
    text = "".join(member_csv(queries.export_members(segment, user)))
    return list(csv.DictReader(io.StringIO(text)))


def test_export_neutralises_cells_a_spreadsheet_would_run(admin: User) -> None:
    party = make_party(given_name="=HYPERLINK(\"http://evil\")", family_name="@SUM(A1)",
                       external_id="+cmd|' /C calc'!A0", email="ok@example.com")  # fmt: skip
    metrics(party, lifecycle_state="at_risk", tier="-gold")
    segment = services.create_segment(
        SegmentCreate(name="Risk", rules=cond("lifecycle_state", "eq", "at_risk")), by=admin
    )
    (row,) = _export(segment, admin)
    assert row["display_name"] == '\'=HYPERLINK("http://evil") @SUM(A1)'
    assert row["external_id"] == "'+cmd|' /C calc'!A0"
    assert row["tier"] == "'-gold"
    assert row["primary_email"] == "ok@example.com"
    assert row["lifecycle_state"] == "at_risk"


def test_export_holds_only_the_members_the_user_may_see(
    sales_a: User, sales_b: User, grant: Grant
) -> None:
    grant(Role.SALES, Right.EXPORT)  # to show the export holds only what sales_a may see
    make_party(given_name="Mine", owner=sales_a, email="mine@example.com")
    make_party(given_name="Theirs", owner=sales_b, email="theirs@example.com")
    segment = services.create_segment(
        SegmentCreate(name="Reachable", rules=cond("has_email", "eq", True)), by=sales_a
    )
    assert [r["primary_email"] for r in _export(segment, sales_a)] == ["mine@example.com"]
