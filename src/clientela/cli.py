"""The `clientela` command: Clientela's own management commands, and any of Django's.

`clientela --help` lists the product's commands; `clientela help --django` lists Django's too.
"""

from __future__ import annotations

import os
import signal
import sys
from importlib.metadata import PackageNotFoundError, version

SETTINGS = "clientela.settings"
DEMO_HOME = os.path.join("var", "demo")
# Shown first, in this order; commands that other apps add follow alphabetically.
FIRST = ("demo", "init", "serve", "worker", "user", "token")
USAGE = """\
Usage: clientela COMMAND [OPTIONS]      (clientela COMMAND --help for its options)

Clientela, the relationship-marketing CRM.

Commands:
{commands}

Django's commands work too (e.g. `clientela migrate`, `clientela createsuperuser`);
`clientela help --django` lists them.

Configuration comes from CLIENTELA_* environment variables; the data folder is
CLIENTELA_HOME (default ./var; `clientela demo` uses ./var/demo unless it is set).
"""


def product_commands() -> dict[str, str]:
    """Each command that Clientela's own apps define, with the first line of its help."""
    from django.core.management import get_commands, load_command_class

    names = {name: app for name, app in get_commands().items() if app.startswith("clientela.")}
    ordered = [n for n in FIRST if n in names] + sorted(n for n in names if n not in FIRST)
    return {
        name: (load_command_class(names[name], name).help or "").strip().splitlines()[0]
        for name in ordered
    }


def print_usage() -> None:
    commands = product_commands()
    width = max(map(len, commands), default=0)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in commands.items())
    sys.stdout.write(USAGE.format(commands=lines))


def _version() -> str:
    try:
        return version("clientela")
    except PackageNotFoundError:
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `clientela` console script."""
    if argv is None and hasattr(signal, "SIGPIPE"):
        # Run as the console script: when the reader of standard output goes away
        # (`clientela export parties | head`), stop at once and quietly, as other Unix tools
        # do (shells report status 141), instead of a BrokenPipeError traceback. Nothing is
        # half-written: every write is one transaction, rolled back unless it committed, and
        # an import's run is settled as interrupted.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    if args[:1] == ["demo"] and not (
        os.environ.get("CLIENTELA_HOME") or os.environ.get("CLIENTELA_DATABASE_URL")
    ):
        # The demo rebuilds its database: keep it away from the real one in ./var.
        os.environ["CLIENTELA_HOME"] = DEMO_HOME
    if args[:1] in (["--version"], ["version"]):
        sys.stdout.write(f"clientela {_version()}\n")
        return

    import django
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        django.setup()
        print_usage()
        return
    if args[:2] == ["help", "--django"]:
        args = ["help", "--commands"]
    execute_from_command_line(["clientela", *args])


if __name__ == "__main__":
    main()
