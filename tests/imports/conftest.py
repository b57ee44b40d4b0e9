"""Helpers for import tests: write a file, import it, read the report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.imports.services import ImportOptions, ImportSummary, import_file

Importer = Callable[..., ImportSummary]
Writer = Callable[[str, bytes | str], Path]


@pytest.fixture(autouse=True)
def _private_home(settings: Settings, tmp_path: Path) -> None:
    """Uploads, rejects and progress files go to a temporary CLIENTELA_HOME."""
    settings.HOME = tmp_path / "home"


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write bytes (or UTF-8 text) to a file in a temporary folder; returns its path."""

    def make(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return make


@pytest.fixture
def run_import(admin: User) -> Importer:
    """Import a file with the service, as the admin unless `by` is given."""

    def run(
        kind: str,
        path: Path,
        *,
        by: User | None = None,
        rejects: Path | None = None,
        **options: Any,
    ) -> ImportSummary:
        return import_file(
            path,
            options=ImportOptions(kind=kind, **options),
            by=by or admin,
            rejects_path=rejects,
        )

    return run
