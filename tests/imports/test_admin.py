"""The admin lists imports as a read-only audit, without the files' contents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.imports.models import ImportRun, ImportSource, ImportStatus

pytestmark = pytest.mark.django_db
Web = Callable[[User], Client]


def recorded(by: User) -> ImportRun:
    return ImportRun.objects.create(
        kind="orders",
        source=ImportSource.CLI,
        file_name="shop-orders.csv",
        status=ImportStatus.INVALID,
        rows=2,
        rejected=1,
        created_by=by,
        problems=[{"line": 2, "field": "total", "value": "secret-value", "message": "x"}],
    )


def test_the_admin_lists_imports_with_who_when_and_counts(web_client: Web, admin: User) -> None:
    recorded(admin)
    response = web_client(admin).get("/admin/imports/importrun/?q=shop")
    page = response.content.decode()
    assert response.status_code == 200
    assert "shop-orders.csv" in page
    assert "admin@example.com" in page


def test_an_import_opens_read_only_without_its_problems(web_client: Web, admin: User) -> None:
    run = recorded(admin)
    response = web_client(admin).get(f"/admin/imports/importrun/{run.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "shop-orders.csv" in page
    assert "secret-value" not in page
    assert 'name="_save"' not in page  # nothing to save: it is read-only


def test_imports_cannot_be_added_or_deleted_in_the_admin(web_client: Web, admin: User) -> None:
    run = recorded(admin)
    client = web_client(admin)
    assert client.get("/admin/imports/importrun/add/").status_code == 403
    assert client.get(f"/admin/imports/importrun/{run.pk}/delete/").status_code == 403
