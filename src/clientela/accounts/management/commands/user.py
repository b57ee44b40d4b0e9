"""`clientela user`: create, list, disable and enable staff users."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.accounts.management.commands.init import ask_password
from clientela.accounts.models import Role, User
from clientela.accounts.services import create_user, find_user, set_user_active
from clientela.core.management.base import ClientelaCommand

PASSWORD_VAR = "CLIENTELA_PASSWORD"  # noqa: S105  (the variable's name, not a password)


class Command(ClientelaCommand):
    help = "Manage staff users: create, list, disable, enable."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = commands.add_parser(
            "create",
            help="create a user (password from a prompt or CLIENTELA_PASSWORD)",
            description="Create a staff user. The password is asked twice on the terminal, "
            f"or read from {PASSWORD_VAR}.",
        )
        create.add_argument("email", metavar="EMAIL")
        create.add_argument(
            "--role", required=True, help=f"one of: {', '.join(Role.values)}", metavar="ROLE"
        )
        create.add_argument("--team", help="team name (created if new)", metavar="TEAM")
        create.add_argument("--name", default="", help="full name", metavar="NAME")
        commands.add_parser("list", help="list users with role, team and status")
        disable = commands.add_parser(
            "disable",
            help="stop a user from signing in; their API tokens stop working at once",
        )
        disable.add_argument("email", metavar="EMAIL")
        enable = commands.add_parser("enable", help="let a disabled user sign in again")
        enable.add_argument("email", metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list()
        else:
            with transaction.atomic():
                user = set_user_active(find_user(options["email"]), active=action == "enable")
            done = _("%(email)s enabled.") if user.is_active else _("%(email)s disabled.")
            self.stdout.write(done % {"email": user.email})

    def _create(self, options: dict[str, Any]) -> None:
        password = os.environ.get(PASSWORD_VAR)
        if not password:
            if not sys.stdin.isatty():
                raise CommandError(
                    _("no password: set %(variable)s or run on a terminal")
                    % {"variable": PASSWORD_VAR}
                )
            password = ask_password()
        with transaction.atomic():
            user = create_user(
                options["email"],
                password=password,
                role=options["role"],
                team_name=options["team"],
                full_name=options["name"],
            )
        if user.team:
            done = _("Created %(email)s (%(role)s, team %(team)s).")
        else:
            done = _("Created %(email)s (%(role)s).")
        values = {"email": user.email, "role": user.role, "team": user.team and user.team.name}
        self.stdout.write(self.style.SUCCESS(done % values))

    def _list(self) -> None:
        users = User.objects.select_related("team").order_by("email")
        rows = [(_("EMAIL"), _("ROLE"), _("TEAM"), _("STATUS"), _("NAME"))]
        rows += [
            (u.email, u.role, u.team.name if u.team else "-", _status(u), u.full_name or "-")
            for u in users
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )


def _status(user: User) -> str:
    return _("active") if user.is_active else _("disabled")
