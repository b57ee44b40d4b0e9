"""clientela export {parties,orders,interactions} — write what a user may see as CSV or NDJSON."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clientela.accounts.models import Right
from clientela.accounts.services import require_right
from clientela.core.console import note
from clientela.core.errors import DomainError
from clientela.core.registries import EXTRA_EXPORTS
from clientela.imports import services
from clientela.imports.management.commands._shared import USAGE, acting_user, describe_error


class Command(BaseCommand):
    # The project's system checks run with serve, init and migrate; moving data in or out
    # does not pay for them again (they import every URL and API module: ~0.2 s).
    requires_system_checks: list[str] = []
    help = (
        "Export parties, orders or interactions to CSV or NDJSON.\n\n"
        "Only what the acting user may see is written. CSV cells that a spreadsheet would run "
        "as a formula get a leading single quote, which `clientela import` takes off again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "kind", choices=(*services.KINDS, *EXTRA_EXPORTS), help="what to export"
        )
        parser.add_argument(
            "--format",
            choices=("csv", "ndjson"),
            default=None,
            help="default: from --out's extension, else csv",
        )
        parser.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
        parser.add_argument(
            "--as", dest="as_user", metavar="EMAIL", help="default: the first admin"
        )
        for extra in EXTRA_EXPORTS.values():
            if extra.add_arguments is not None:
                extra.add_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path | None = opts["out"]
        fmt = opts["format"] or (
            "ndjson" if out is not None and out.suffix.lower() in {".ndjson", ".jsonl"} else "csv"
        )
        try:
            user = acting_user(opts["as_user"])
            require_right(user, Right.EXPORT)  # every kind, the extra ones too
        except DomainError as exc:
            raise CommandError(describe_error(exc), returncode=USAGE) from exc
        extra = EXTRA_EXPORTS.get(opts["kind"])
        if extra is not None:

            def write(stream: Any) -> int:
                return extra.write(user, stream, opts)
        else:

            def write(stream: Any) -> int:
                return services.write_export(opts["kind"], user, stream, fmt=fmt)

        if out is None:
            count = write(sys.stdout)
        else:
            try:
                stream = out.open("w", encoding="utf-8", newline="")
            except OSError as exc:
                message = _("%(file)s: %(error)s") % {"file": out, "error": exc.strerror}
                raise CommandError(message, returncode=USAGE) from exc
            with stream:
                count = write(stream)
            note(
                self.stderr,
                _("%(count)s %(kind)s written to %(file)s")
                % {"count": count, "kind": opts["kind"], "file": out},
            )
