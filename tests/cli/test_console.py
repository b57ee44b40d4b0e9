"""The `clientela` console script itself: its help, and exit status on errors."""

from __future__ import annotations

import os
import signal
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


def test_an_export_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    """`clientela export parties | head` ends without a traceback when head stops reading."""
    assert run_clientela("migrate", "-v", "0", home=tmp_path).returncode == 0
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    environ.update(CLIENTELA_HOME=str(tmp_path), CLIENTELA_PASSWORD="a long enough password 7")
    script = str(Path(sys.executable).with_name("clientela"))
    made = subprocess.run(  # noqa: S603  (fixed argv, no shell)
        [script, "user", "create", "ana@example.com", "--role", "admin"],
        env=environ, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    code = (
        "from clientela.parties.models import Party; "
        "Party.objects.bulk_create(Party(kind='person', given_name=f'Given{i}', "
        "family_name='Family', display_name=f'Given{i} Family') for i in range(5000))"
    )
    filled = subprocess.run(  # noqa: S603  (fixed argv, no shell)
        [script, "shell", "-c", code], env=environ, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert filled.returncode == 0, filled.stderr
    with subprocess.Popen(  # noqa: S603  (fixed argv, no shell)
        [script, "export", "parties"], env=environ, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as export:  # fmt: skip
        assert export.stdout is not None
        assert export.stderr is not None
        first = export.stdout.read(200)  # what `head -c 200` reads, then it goes away
        export.stdout.close()
        errors = export.stderr.read().decode()
        status = export.wait(timeout=120)
    assert b"," in first  # CSV came out before the pipe closed
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
    assert status == -signal.SIGPIPE  # a shell reports 141, as for any tool that met one


def test_a_note_on_standard_error_is_not_coloured_as_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.core.management.base import OutputWrapper

    from clientela.core.console import note

    class Terminal:
        """An error stream that says it is a terminal, so Django would colour it."""

        def __init__(self) -> None:
            self.text = ""

        def write(self, text: str) -> None:
            self.text += text

        def isatty(self) -> bool:
            return True

        def flush(self) -> None:
            return None

    stream = Terminal()
    wrapper = OutputWrapper(stream)  # type: ignore[arg-type]  # a file-like stand-in
    wrapper.style_func = lambda text: f"\x1b[31;1m{text}\x1b[0m"  # Django's ERROR style
    note(wrapper, "Token 3 for ana@example.com; shown once, copy it now:")
    wrapper.write("a real error")
    assert stream.text.splitlines()[0] == "Token 3 for ana@example.com; shown once, copy it now:"
    assert "\x1b[31;1ma real error" in stream.text
