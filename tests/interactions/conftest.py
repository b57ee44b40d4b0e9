"""Attachments go to a temporary CLIENTELA_HOME in every interaction test."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def _private_home(settings: Settings, tmp_path: Path) -> Path:
    settings.HOME = tmp_path / "home"
    return settings.HOME
