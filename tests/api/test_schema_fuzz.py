"""Schemathesis against the live app: every operation, as every role, answers no 5xx and only
what the OpenAPI document declares (statuses, content types, bodies, headers).

Bounded and deterministic: a fixed seed, derandomised Hypothesis, `EXAMPLES` cases per operation
and role, no example database. Each test is one operation as one role, on a small company
seeded through the factories; ids that Schemathesis generates are mapped onto the seeded rows,
so that most requests reach a record (of the role's own team or of another one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from pytest_django.fixtures import Settings

from clientela.accounts.models import Role, User
from clientela.accounts.services import create_token
from clientela.activities.models import Activity
from clientela.consent.models import PrivacyRequest
from clientela.consent.services import open_request
from clientela.dedupe.models import DuplicateCandidate
from clientela.dedupe.services import scan_duplicates
from clientela.interactions.models import Interaction
from clientela.segments.models import Segment, SegmentKind
from tests import factories

SEED = 20
EXAMPLES = 12
ROLES = (Role.ADMIN, Role.MANAGER, Role.SALES, Role.VIEWER)

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "cache": {"enabled": False},
        "generation": {
            "deterministic": True,
            "database": "none",
            # The test sends each role's token itself: Authorization is not a generated input.
            "with-security-parameters": False,
        },
        # A cursor, an e-mail or a rule can match its JSON schema and still be refused (422).
        "checks": {"positive_data_acceptance": {"enabled": False}},
        "operations": [
            # skip_invalid=true answers 200 with each refused line reported in the body.
            {
                "include-path": "/api/v1/orders/bulk",
                "checks": {"negative_data_rejection": {"enabled": False}},
            },
            # A multipart part is bytes whatever the schema says: a "schema-violating" files
            # value is sent as a file, which is judged by its content (a valid PDF: 201).
            {
                "include-path-regex": "^/api/v1/interactions/.*/attachments$",
                "checks": {"negative_data_rejection": {"enabled": False}},
            },
            # A multipart upload: a body schemathesis means as invalid reaches the wire as a
            # form with a valid file (the logo's content is checked by the service, 422).
            {
                "include-path": "/api/v1/company/logo",
                "checks": {"negative_data_rejection": {"enabled": False}},
            },
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=CONFIG)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    """The bulk body is declared as an array of orders; on the wire, one JSON object a line."""
    lines = value if isinstance(value, list) else [value]
    return b"\n".join(json.dumps(line).encode() for line in lines)


# Which seeded rows an id of each name is mapped onto.
ID_POOLS = {
    "party_id": "parties",
    "other_id": "parties",
    "pair_id": "pairs",
    "request_id": "requests",
    "segment_id": "segments",
    "activity_id": "activities",
    "interaction_id": "interactions",
}


@pytest.fixture
def company(db: None) -> dict[str, list[int]]:
    """Two teams' parties with orders and interactions, duplicates, segments and requests."""
    sales_b = factories.make_user(role=Role.SALES, email="sales.b@example.com", team="Team B")
    admin = factories.make_user(role=Role.ADMIN, email="owner@example.com")
    parties = []
    for owner in (None, sales_b):
        team = owner.team if owner else None
        for n in range(3):
            party = factories.make_party(
                owner=owner, team=team, email=f"p{n}.{team}@example.com", phone=f"+35191234{n}"
            )
            factories.make_order(party)
            factories.make_interaction(party)
            parties.append(party)
    scan_duplicates()
    for party in parties[::2]:
        open_request(party, kind="access", channel="staff", by=admin)
    Segment.objects.create(name="List", kind=SegmentKind.STATIC, owner=admin)
    Segment.objects.create(
        name="Customers",
        rules={"all": [{"field": "role", "op": "eq", "value": "customer"}]},
        owner=sales_b,
    )
    for party in parties:
        activity_owner = party.owner or admin
        factories.make_activity(party, assignee=activity_owner)
    return {
        "activities": list(Activity.objects.order_by("pk").values_list("pk", flat=True)),
        "interactions": list(Interaction.objects.order_by("pk").values_list("pk", flat=True)),
        "parties": [p.pk for p in parties],
        "pairs": list(DuplicateCandidate.objects.order_by("pk").values_list("pk", flat=True)),
        "requests": list(PrivacyRequest.objects.order_by("pk").values_list("pk", flat=True)),
        "segments": list(Segment.objects.order_by("pk").values_list("pk", flat=True)),
    }


def _seeded(name: str, value: Any, pools: dict[str, list[int]]) -> Any:
    """A generated id in the int32 range becomes a seeded row's id; others stay (404, 422)."""
    pool = pools.get(ID_POOLS.get(name, ""), [])
    if pool and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return pool[value % len(pool)]
    return value


@pytest.fixture
def _one_connection() -> Iterator[None]:
    """Requests run inside the test's transaction, on its connection: Django must not close
    that connection as each request ends (it would on PostgreSQL), as its test client ensures."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, company: dict[str, list[int]]) -> str:
    user: User = factories.make_user(role=request.param, team="Team A")
    factories.make_party(owner=user, team=user.team)
    return create_token(user)[1]


@pytest.fixture
def _bad_tokens_not_throttled(settings: Settings) -> None:
    """Schemathesis sends a bad token to every operation again and again; past the limit the
    answer is 429, which tests/api/test_tokens.py covers. Here every bad token gets its 401."""
    settings.CLIENTELA_TOKEN_MAX_FAILURES = 1_000_000


# Schemathesis' WSGI transport reads a streamed download (the privacy export's temporary
# file) without closing the response; a WSGI server closes it (PEP 3333), and the consent
# tests read the same download through Django's client, which does.
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.usefixtures("_one_connection", "_bad_tokens_not_throttled")
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
def test_every_operation_answers_as_documented(
    case: Any, token: str, company: dict[str, list[int]]
) -> None:
    if case.path_parameters:
        case.path_parameters = {k: _seeded(k, v, company) for k, v in case.path_parameters.items()}
    if isinstance(case.body, dict):
        case.body = {k: _seeded(k, v, company) for k, v in case.body.items()}
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
