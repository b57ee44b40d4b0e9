"""`clientela bounces ingest`: read returned mail (bounces, complaints) from an mbox file or
the bounce mailbox over IMAP, and act on each report once."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import invalid
from clientela.core.management.base import ClientelaCommand
from clientela.messaging.models import ReportKind
from clientela.messaging.services.mailboxes import Summary, ingest_imap, ingest_mbox


class Command(ClientelaCommand):
    help = "Read bounces and complaints (mbox file or IMAP) and act on each report once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        ingest = actions.add_parser("ingest", help="read an mbox file or the IMAP bounce mailbox")
        where = ingest.add_mutually_exclusive_group()
        where.add_argument("--mbox", metavar="FILE", help="an mbox file of returned mail")
        where.add_argument(
            "--imap",
            action="store_true",
            help="the mailbox named by CLIENTELA_BOUNCE_IMAP_URL (unseen mail, flagged seen)",
        )
        ingest.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["mbox"]:
            summary = ingest_mbox(options["mbox"])
        elif options["imap"]:
            summary = ingest_imap()
        else:
            raise invalid(
                "source", "", _("give --mbox FILE or --imap"), code="bounces_source_missing"
            )
        self._print(summary, as_json=options["json"])

    def _print(self, summary: Summary, *, as_json: bool) -> None:
        if as_json:
            data = {
                "read": summary.read,
                "kept": summary.kept,
                "duplicates": summary.duplicates,
                "kinds": summary.kinds,
                "effects": summary.effects,
            }
            self.stdout.write(json.dumps(data, sort_keys=True))
            return
        self.stdout.write(
            _("Read %(read)s mails: %(kept)s reports kept, %(duplicates)s already read.")
            % {"read": summary.read, "kept": summary.kept, "duplicates": summary.duplicates}
        )
        for name, count in sorted(summary.kinds.items()):
            self.stdout.write(f"  {ReportKind(name).label}: {count}")
        for name, count in sorted(summary.effects.items()):
            self.stdout.write(f"  → {name}: {count}")
