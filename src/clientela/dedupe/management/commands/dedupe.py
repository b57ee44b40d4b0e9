"""`clientela dedupe`: find likely duplicates; with --merge-exact, merge the certain ones;
--merge KEPT OTHER merges two parties with a choice for each differing field; --unmerge undoes
a merge within 30 days."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.accounts.services import find_user
from clientela.core.errors import NotFound, invalid
from clientela.core.management.base import ClientelaCommand
from clientela.dedupe.models import MergeRecord
from clientela.dedupe.services import (
    UNMERGE_DAYS,
    merge_exact_pairs,
    merge_parties,
    scan_duplicates,
    unmerge,
)
from clientela.parties.models import Party

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
        parser.add_argument(
            "--merge",
            nargs=2,
            type=int,
            metavar=("KEPT_ID", "OTHER_ID"),
            help="merge party OTHER_ID into KEPT_ID (no scan); every field on which they "
            "differ needs a --choose",
        )
        parser.add_argument(
            "--choose",
            action="append",
            default=[],
            metavar="FIELD=survivor|other",
            help="with --merge: whose value a field keeps (custom fields as custom.KEY); "
            "repeat for each field",
        )
        parser.add_argument(
            "--unmerge",
            type=int,
            metavar="MERGE_ID",
            help=f"undo a merge made less than {UNMERGE_DAYS} days ago (no scan)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        by = find_user(options["as_user"]) if options["as_user"] else None
        if options["merge"]:
            kept_id, other_id = options["merge"]
            self._merge(kept_id, other_id, options["choose"], by=by, as_json=options["json"])
            return
        if options["unmerge"] is not None:
            with transaction.atomic():
                record = unmerge(options["unmerge"], by=by)
            self._print(
                record,
                as_json=options["json"],
                done=_("Unmerged: party %(other)s is separate from %(kept)s again."),
            )
            return
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

    def _merge(
        self, kept_id: int, other_id: int, choose: list[str], *, by: Any, as_json: bool
    ) -> None:
        choices: dict[str, str] = {}
        for item in choose:
            name, sep, side = item.partition("=")
            if not sep or not name.strip():
                raise invalid(
                    "choose",
                    item,
                    _("is not FIELD=survivor or FIELD=other"),
                    code="merge_choice_format",
                )
            choices[name.strip()] = side.strip()
        parties = {p.pk: p for p in Party.objects.filter(pk__in=[kept_id, other_id])}
        for party_id in (kept_id, other_id):
            if party_id not in parties:
                raise NotFound(
                    _("party %(id)s not found"),
                    code="party_not_found",
                    params={"id": party_id},
                )
        with transaction.atomic():
            record = merge_parties(
                parties[kept_id], parties[other_id], choices=choices, by=by, require_choices=True
            )
        self._print(
            record,
            as_json=as_json,
            done=_(
                "Merged party %(other)s into %(kept)s (merge %(id)s); "
                "undo within %(days)s days with: clientela dedupe --unmerge %(id)s"
            ),
        )

    def _print(self, record: MergeRecord, *, as_json: bool, done: str | Promise) -> None:
        if as_json:
            data = {
                "id": record.pk,
                "survivor_id": record.survivor_id,
                "merged_party_id": record.merged_party_id,
                "choices": record.choices,
                "moved": record.moved,
                "unmerged": record.unmerged_at is not None,
            }
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            str(done)
            % {
                "other": record.merged_party_id,
                "kept": record.survivor_id,
                "id": record.pk,
                "days": UNMERGE_DAYS,
            }
        )
