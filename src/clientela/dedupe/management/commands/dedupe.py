"""`clientela dedupe`: find likely duplicates; with --merge-exact, merge the certain ones."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clientela.accounts.services import find_user
from clientela.core.management.base import ClientelaCommand
from clientela.dedupe.services import merge_exact_pairs, scan_duplicates

MAX_ROUNDS = 10  # merging A+B can reveal A~C; a few rounds settle any chain


class Command(ClientelaCommand):
    help = "Find likely duplicate parties for review; --merge-exact merges the certain ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--merge-exact",
            action="store_true",
            help="merge pairs with the same e-mail or phone and alike names; the party "
            "created first survives",
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="EMAIL",
            help="merge as this user (recorded as the actor; only parties they may see)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        by = find_user(options["as_user"]) if options["as_user"] else None
        with transaction.atomic():
            result = scan_duplicates()
        merged = 0
        rounds = 0
        while options["merge_exact"] and rounds < MAX_ROUNDS:
            rounds += 1
            with transaction.atomic():
                records = merge_exact_pairs(by=by)
            if not records:
                break
            merged += len(records)
            with transaction.atomic():
                result = scan_duplicates()
        summary = {
            "parties": result.parties,
            "pairs_compared": result.compared,
            "pairs_to_review": result.proposed,
            "new": result.created,
            "merged": merged,
            "seconds": result.seconds,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(
            _(
                "Scanned %(parties)s parties in %(seconds).1f s: "
                "%(pairs)s likely duplicate pairs (%(new)s new)."
            )
            % {
                "parties": result.parties,
                "seconds": result.seconds,
                "pairs": result.proposed,
                "new": result.created,
            }
        )
        if options["merge_exact"]:
            self.stdout.write(_("Merged %(merged)s exact duplicate pairs.") % {"merged": merged})
