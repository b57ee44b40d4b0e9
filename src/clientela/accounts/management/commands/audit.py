"""`clientela audit`: the audit log, newest first, in words or as JSON lines."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from clientela.accounts.management.commands.company import acting_admin
from clientela.accounts.presenters import describe
from clientela.accounts.services import audit_entries
from clientela.core.management.base import ClientelaCommand


class Command(ClientelaCommand):
    help = "Show the audit log, newest first: who changed users, teams, settings, and when."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--action",
            default="",
            metavar="CODE",
            help='an action code, or a prefix ending in "." (user.)',
        )
        parser.add_argument("--target", default="", metavar="KIND[:ID]", help="user, team:3…")
        parser.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (50)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")
        parser.add_argument(
            "--as",
            dest="acting",
            metavar="EMAIL",
            help="read as this user (default: the first admin)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind, _sep, target_id = options["target"].partition(":")
        entries = audit_entries(
            acting_admin(options["acting"]),
            action=options["action"].strip() or None,
            target_kind=kind.strip() or None,
            target_id=target_id.strip() or None,
        )
        for shown in map(describe, entries[: max(options["limit"], 0)]):
            entry = shown.entry
            if options["json"]:
                record = {
                    "id": entry.pk,
                    "at": entry.at.isoformat(),
                    "actor": entry.actor_email,
                    "action": entry.action,
                    "text": shown.text,
                    "target_kind": entry.target_kind,
                    "target_id": entry.target_id,
                    "details": entry.details,
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False, default=str))
                continue
            target = f"{entry.target_kind} {entry.target_id}".strip() or "-"
            when = f"{entry.at:%Y-%m-%d %H:%M}"
            self.stdout.write(f"{when}  {shown.actor}  {shown.text}  [{entry.action}, {target}]")
        if not options["json"] and not entries.exists():
            self.stderr.write(_("Nothing recorded yet."))
