"""`clientela privacy export|erase PARTY`."""

from __future__ import annotations

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories

pytestmark = pytest.mark.django_db


def test_export_prints_the_partys_data_as_json() -> None:
    party = factories.make_party(email="ana@example.com")
    out = StringIO()
    call_command("privacy", "export", "ana@example.com", stdout=out)
    data = json.loads(out.getvalue())
    assert data["profile"]["id"] == party.pk


def test_export_writes_a_zip(tmp_path: Path) -> None:
    party = factories.make_party(email="ana@example.com")
    target = tmp_path / "ana.zip"
    call_command("privacy", "export", str(party.pk), "--out", str(target), stderr=StringIO())
    assert "data.json" in zipfile.ZipFile(target).namelist()


def test_erase_refuses_without_confirmation() -> None:
    party = factories.make_party(email="ana@example.com")
    with pytest.raises(CommandError, match="--yes"):
        call_command("privacy", "erase", str(party.pk))
    party.refresh_from_db()
    assert party.given_name == "Maria"


def test_an_unknown_party_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no party"):
        call_command("privacy", "export", "nobody@example.com")
