"""Refusals reach the server log as one line each; faults keep their traceback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.core.logs import OneLineRefusals
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each django.request record as the server log prints it."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(r) for r in caplog.records if r.name == "django.request"]


def test_a_non_admin_at_the_admin_is_one_line(
    manager: User, web_client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert web_client(manager).get("/admin/").status_code == 403

    assert _request_lines(caplog) == [
        "WARNING django.request Forbidden (Permission denied): /admin/"
    ]


def test_a_page_a_role_may_not_use_is_one_line(
    viewer: User, web_client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert web_client(viewer).get("/parties/new/").status_code == 403

    assert _request_lines(caplog) == [
        "WARNING django.request Forbidden (Permission denied): /parties/new/"
    ]


def test_another_teams_party_is_one_line(
    sales_a: User, sales_b: User, web_client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    party = factories.make_party(owner=sales_b, team=sales_b.team)

    with caplog.at_level(logging.WARNING):
        assert web_client(sales_a).get(f"/parties/{party.pk}/").status_code == 404

    assert _request_lines(caplog) == [f"WARNING django.request Not Found: /parties/{party.pk}/"]


def test_a_throttled_sign_in_and_api_refusals_are_one_line_each(
    admin: User, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CLIENTELA_SIGNIN_MAX_FAILURES = 1
    client = Client()
    viewer_api = factories.api_client(factories.make_user(role="viewer"))
    with caplog.at_level(logging.WARNING):
        client.post("/sign-in/", {"email": admin.email, "password": "wrong"})
        client.post("/sign-in/", {"email": admin.email, "password": "wrong"})
        viewer_api.post("/api/v1/parties", {"kind": "person"}, content_type="application/json")

    assert _request_lines(caplog) == [
        "WARNING django.request Unauthorized: /sign-in/",
        "WARNING django.request Too Many Requests: /sign-in/",
        "WARNING django.request Forbidden: /api/v1/parties",
    ]


def _record(status: int) -> logging.LogRecord:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), info)
    record.status_code = status
    return record


def test_a_fault_keeps_its_traceback() -> None:
    kept, dropped = _record(500), _record(403)

    assert OneLineRefusals().filter(kept) is True
    assert OneLineRefusals().filter(dropped) is True

    assert kept.exc_info is not None
    assert dropped.exc_info is None


def test_api_refusals_of_a_party_out_of_reach_leave_no_traceback(
    sales_a: User, sales_b: User, caplog: pytest.LogCaptureFixture
) -> None:
    party = factories.make_party(owner=sales_b, team=sales_b.team)
    client = factories.api_client(sales_a)
    viewer = factories.api_client(factories.make_user(role="viewer"))
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/api/v1/parties/{party.pk}").status_code == 404
        assert client.get("/api/v1/parties/999999999").status_code == 404
        patch = viewer.patch(
            f"/api/v1/parties/{party.pk}", {"notes": "x"}, content_type="application/json"
        )
        assert patch.status_code == 403
        assert client.get("/no-such-page/").status_code == 404

    formatter = logging.Formatter("%(message)s")
    printed = "\n".join(formatter.format(r) for r in caplog.records)
    assert "Traceback" not in printed
    assert not [r for r in caplog.records if r.exc_info]
    assert f"Not Found: /api/v1/parties/{party.pk}" in printed.splitlines()  # one line each
