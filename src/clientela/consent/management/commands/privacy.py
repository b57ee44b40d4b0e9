"""`clientela privacy`: export everything about a party, or erase their personal data."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.consent.services import erase_party, write_archive, write_json
from clientela.consent.services.privacy import find_party
from clientela.core.console import note
from clientela.core.management.base import ClientelaCommand
from clientela.parties.models import Party


class _Unended:
    """Standard output as a plain stream: the command's wrapper would end each piece with a
    newline."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")


class Command(ClientelaCommand):
    help = "Privacy rights: export a party's data (access/portability) or erase it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = commands.add_parser(
            "export",
            help="everything kept about a party, as JSON (or a zip of JSON and CSV)",
            description="Print the party's data as JSON, or write it with --out: a .zip file "
            "holds data.json and one CSV per section, any other name gets the JSON.",
        )
        export.add_argument("party", metavar="PARTY", help="id, external id or e-mail")
        export.add_argument("--out", metavar="FILE", help="write here instead of printing")
        erase = commands.add_parser(
            "erase",
            help="remove a party's personal data for good (keeps anonymised order totals)",
            description="Erase the party's personal data from every table and from the "
            "database file; their addresses stay on the suppression list as keyed hashes.",
        )
        erase.add_argument("party", metavar="PARTY", help="id, external id or e-mail")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        party = find_party(options["party"])
        if options["action"] == "export":
            self._export(party, options.get("out"))
        else:
            self._erase(party, assume_yes=options["yes"])

    def _export(self, party: Party, out: str | None) -> None:
        """Written as it is read, in batches: any size of party fits."""
        if out is None:
            write_json(party, _Unended(self.stdout))
            return
        path = Path(out)
        if path.suffix.lower() == ".zip":
            with path.open("wb") as file:
                write_archive(party, file)
        else:
            with path.open("w", encoding="utf-8") as text:
                write_json(party, text)
        note(self.stderr, _("Party %(id)s exported to %(path)s.") % {"id": party.pk, "path": path})

    def _erase(self, party: Party, *, assume_yes: bool) -> None:
        if not assume_yes:
            if not sys.stdin.isatty():
                raise CommandError(_("erasure cannot be undone: pass --yes to confirm"))
            question = _("Erase party %(id)s for good? Type its id to confirm: ")
            if input(question % {"id": party.pk}).strip() != str(party.pk):
                raise CommandError(_("not confirmed; nothing was erased"))
        with transaction.atomic():
            request = erase_party(party, by=None)
        self.stdout.write(
            _("Party %(id)s erased (privacy request %(request)s).")
            % {"id": party.pk, "request": request.pk}
        )
