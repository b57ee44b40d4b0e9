"""Attachments go to a temporary CLIENTELA_HOME in every interaction test."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def home(settings: Settings, tmp_path: Path) -> Path:
    """The test's CLIENTELA_HOME."""
    path = tmp_path / "home"
    settings.HOME = path
    return path
