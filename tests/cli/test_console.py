"""The `clientela` console script itself: its help, and exit status on errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clientela.cli import main

PRODUCT_COMMANDS = ("demo", "init", "serve", "worker", "user", "token")


def run_clientela(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script on a private SQLite home, as a person would."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    environ.update(CLIENTELA_HOME=str(home), **env)
    script = Path(sys.executable).with_name("clientela")
    return subprocess.run(  # noqa: S603  (fixed argv, no shell)
        [str(script), *args], capture_output=True, text=True, env=environ, timeout=120, check=False
    )


def test_help_lists_the_product_commands_with_a_line_each(tmp_path: Path) -> None:
    result = run_clientela("--help", home=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for name in PRODUCT_COMMANDS:
        assert any(line.split()[:1] == [name] and len(line.split()) > 2 for line in lines), name
    assert "makemigrations" not in result.stdout


def test_a_django_command_runs_through_the_clientela_script(tmp_path: Path) -> None:
    result = run_clientela("showmigrations", "demo", home=tmp_path)
    assert result.returncode == 0
    assert "0001_initial" in result.stdout


def test_a_bad_role_ends_with_status_1_and_names_the_value(tmp_path: Path) -> None:
    assert run_clientela("migrate", "-v", "0", home=tmp_path).returncode == 0
    result = run_clientela(
        "user", "create", "ana@example.com", "--role", "boss", home=tmp_path,
        CLIENTELA_PASSWORD="a long enough password 7",
    )  # fmt: skip
    assert result.returncode == 1
    assert "role" in result.stderr
    assert "'boss'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", PRODUCT_COMMANDS)
def test_every_product_command_has_help(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("CLIENTELA_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: clientela {command}" in capsys.readouterr().out


@pytest.mark.parametrize(("command", "action"), [("user", "create"), ("token", "create")])
def test_every_sub_action_has_help(
    command: str, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, action, "--help"])
    assert exit_info.value.code == 0
    assert "EMAIL" in capsys.readouterr().out
