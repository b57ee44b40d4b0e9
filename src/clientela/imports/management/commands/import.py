# noqa: N999  (the module is named after the command: `clientela import`)
"""clientela import {parties,orders,interactions} FILE — bring a CSV or NDJSON file in."""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from clientela.accounts.models import User
from clientela.core.errors import DomainError
from clientela.imports import services
from clientela.imports.management.commands._shared import USAGE, acting_user, describe_error

OK, INVALID_ROWS = 0, 1
PLAIN_PROGRESS_SECONDS = 5.0  # between two progress lines when stderr is not a terminal


class Command(BaseCommand):
    # The project's system checks run with serve, init and migrate; moving data in or out
    # does not pay for them again (they import every URL and API module: ~0.2 s).
    requires_system_checks: list[str] = []
    help = (
        "Import parties, orders or interactions from a CSV or NDJSON file.\n\n"
        "All-or-nothing: if any row is invalid nothing is written and every problem is "
        "reported (row, column, value, reason). --skip-invalid --rejects FILE writes the valid "
        "rows and puts the others in FILE to fix and import again. Importing the same file "
        "twice changes nothing. A parties row with an erased or suppressed e-mail or phone is "
        "skipped and reported, not rejected. Exit codes: 0 imported (skipped rows included), "
        "1 invalid rows, 2 usage or file error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=services.KINDS, help="what the file holds")
        parser.add_argument("file", type=Path, help="the CSV or NDJSON file")
        parser.add_argument("--format", choices=("csv", "ndjson"), help="default: from the name")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="SRC=DEST",
            help="put column SRC into field DEST ('SRC=-' ignores the column); repeatable",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the valid rows (needs --rejects)"
        )
        parser.add_argument("--rejects", type=Path, metavar="FILE", help="write invalid rows here")
        parser.add_argument(
            "--upsert",
            action="store_true",
            help="update the parties that rows match, and the orders whose external id is "
            "known with other content (otherwise reported as conflicts)",
        )
        parser.add_argument("--encoding", help="the file's encoding, e.g. latin-1 (default UTF-8)")
        parser.add_argument(
            "--date-format",
            metavar="FORMAT",
            help="how dates are written: ISO, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY (default: "
            "found in each column; a column that reads both ways must be told). Dates and "
            "times without an offset are in the company's time zone",
        )
        parser.add_argument(
            "--locale",
            metavar="LOCALE",
            help="how amounts are written, e.g. pt-PT (1.234,56) or en-US (1,234.56) "
            "(default: found in each column)",
        )
        parser.add_argument(
            "--as", dest="as_user", metavar="EMAIL", help="default: the first admin"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if opts["skip_invalid"] and not opts["rejects"]:
            raise CommandError(
                _("--skip-invalid needs --rejects FILE, so no row is lost"), returncode=USAGE
            )
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": path}, returncode=USAGE)
        try:
            user = acting_user(opts["as_user"])
            options = services.ImportOptions(
                kind=opts["kind"],
                format=opts["format"],
                encoding=opts["encoding"],
                overrides=services.parse_overrides(opts["map"]),
                dry_run=opts["dry_run"],
                skip_invalid=opts["skip_invalid"],
                upsert=opts["upsert"],
                date_format=opts["date_format"],
                locale=opts["locale"],
            )
            services.check_formats(options.date_format, options.locale)
        except DomainError as exc:
            raise CommandError(describe_error(exc), returncode=USAGE) from exc
        try:
            summary = self._run(path, options, user, opts["rejects"])
        except DomainError as exc:
            message = _("%(file)s: %(error)s") % {"file": path, "error": describe_error(exc)}
            raise CommandError(message, returncode=USAGE) from exc
        self._summarise(summary, opts["rejects"])
        if summary.rejected:
            sys.exit(INVALID_ROWS)

    def _run(
        self, path: Path, options: services.ImportOptions, user: User, rejects: Path | None
    ) -> services.ImportSummary:
        console = Console(stderr=True)
        size = path.stat().st_size

        def report(problem: services.RowProblem) -> None:
            line = problem.describe()
            if problem.code == "duplicate_party":  # what to do, said as this command says it
                line = _("%(line)s; use --upsert to update it") % {"line": line}
            self.stderr.write(line)

        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:>10,} rows  {task.fields[rate]:>9,.0f} rows/s"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=False,
        )
        with progress:
            task = progress.add_task(f"import {options.kind}", total=size, rows=0, rate=0.0)

            started, shown = time.monotonic(), [time.monotonic()]

            def advance(rows: int, position: int) -> None:
                elapsed = progress.tasks[0].elapsed or 0.0
                rate = rows / elapsed if elapsed else 0.0
                progress.update(task, completed=position, rows=rows, rate=rate)
                now = time.monotonic()
                if not console.is_terminal and now - shown[0] >= PLAIN_PROGRESS_SECONDS:
                    # No bar in a log or a pipe: a line now and then says how far it is.
                    shown[0] = now
                    self.stderr.write(
                        _("%(kind)s: %(percent)s%% of the file, %(rows)s rows, %(rate)s rows/s")
                        % {
                            "kind": options.kind,
                            "percent": round(100 * position / size) if size else 0,
                            "rows": f"{rows:,}",
                            "rate": f"{rows / (now - started):,.0f}",
                        }
                    )

            _record, summary = services.import_path(
                path,
                options=options,
                by=user,
                rejects=rejects,
                on_progress=advance,
                on_problem=report,
            )
            return summary

    def _summarise(self, summary: services.ImportSummary, rejects: Path | None) -> None:
        if summary.ignored_columns:
            names = ", ".join(repr(c) for c in summary.ignored_columns)
            self.stderr.write(_("columns not imported: %(columns)s") % {"columns": names})
        counts = _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(rejected)s rejected (%(rate)s rows/s)"
        ) % {
            "rows": summary.rows,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected,
            "rate": f"{summary.rows_per_second:,.0f}",
        }
        self.stdout.write(counts)
        if summary.skipped:
            self.stdout.write(
                ngettext(
                    "%(count)s row skipped: kept out on purpose, each with its reason above",
                    "%(count)s rows skipped: kept out on purpose, each with its reason above",
                    summary.skipped,
                )
                % {"count": summary.skipped}
            )
        if summary.dry_run:
            self.stdout.write(_("dry run: nothing was written"))
        elif not summary.written:
            self.stdout.write(
                ngettext(
                    "nothing was written: %(count)s invalid row. Fix it, or import the valid "
                    "rows with --skip-invalid --rejects FILE",
                    "nothing was written: %(count)s invalid rows. Fix them, or import the valid "
                    "rows with --skip-invalid --rejects FILE",
                    summary.rejected,
                )
                % {"count": summary.rejected}
            )
        if rejects is not None and summary.rejected:
            self.stdout.write(_("rejected rows, with their reasons: %(file)s") % {"file": rejects})
