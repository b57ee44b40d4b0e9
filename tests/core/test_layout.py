"""Every app has only the rooms DESIGN.md lists, and no module grows past 400 lines.

The floors themselves are checked by import-linter (`make lint`); this checks the rooms.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import clientela

SOURCE = Path(clientela.__file__).parent
ROOMS = {
    "__init__.py",
    "models.py",
    "services.py",
    "services",
    "schemas.py",
    "queries.py",
    "api.py",
    "views.py",
    "views",
    "forms.py",
    "presenters.py",
    "templates",
    "static",
    "templatetags",
    "management",
    "tasks.py",
    "admin.py",
    "bulk.py",
    "apps.py",
    "urls.py",
    "migrations",
}
# DESIGN.md names it: the pure NumPy/SciPy core of lifetime value.
EXTRA_ROOMS = {"analytics": {"clv"}}
MAX_LINES = 400
APPS = sorted(
    path.name
    for path in SOURCE.iterdir()
    if (path / "apps.py").exists() and path.name != "core"  # core is the ground floor
)


def test_the_apps_are_found() -> None:
    assert {"parties", "commerce", "consent", "imports", "web"} <= set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_an_app_has_only_the_listed_rooms(app: str) -> None:
    allowed = ROOMS | EXTRA_ROOMS.get(app, set())
    found = {p.name for p in (SOURCE / app).iterdir() if p.name != "__pycache__"}
    assert found - allowed == set(), f"{app} has rooms DESIGN.md does not list"


@pytest.mark.parametrize("app", APPS)
def test_management_holds_only_commands(app: str) -> None:
    management = SOURCE / app / "management"
    if management.exists():
        found = {p.name for p in management.iterdir() if p.name != "__pycache__"}
        assert found <= {"__init__.py", "commands"}


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(SOURCE)): lines
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
