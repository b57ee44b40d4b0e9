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
from clientela.accounts.services import (
    change_role,
    change_team,
    create_user,
    find_team,
    find_user,
    set_user_active,
)
from clientela.core.management.base import ClientelaCommand

PASSWORD_VAR = "CLIENTELA_PASSWORD"  # noqa: S105  (the variable's name, not a password)


class Command(ClientelaCommand):
    help = "Manage staff users: create, list, disable, enable, set-role, set-team."

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
        set_role = commands.add_parser(
            "set-role",
            help="give a user another role (the last active admin stays an admin)",
        )
        set_role.add_argument("email", metavar="EMAIL")
        set_role.add_argument("role", metavar="ROLE", help=f"one of: {', '.join(Role.values)}")
        set_team = commands.add_parser(
            "set-team", help="put a user in a team (which must exist), or in none with --none"
        )
        set_team.add_argument("email", metavar="EMAIL")
        which = set_team.add_mutually_exclusive_group(required=True)
        which.add_argument("team", nargs="?", metavar="TEAM", help="the team's name")
        which.add_argument("--none", action="store_true", help="take the user out of their team")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list()
        elif action == "set-role":
            with transaction.atomic():
                user = change_role(find_user(options["email"]), options["role"], by=None)
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(email)s is now %(role)s.") % {"email": user.email, "role": user.role}
                )
            )
        elif action == "set-team":
            with transaction.atomic():
                team = None if options["none"] else find_team(name=options["team"])
                user = change_team(find_user(options["email"]), team, by=None)
            done = (
                _("%(email)s is now in team %(team)s.")
                if user.team
                else _("%(email)s is now in no team.")
            )
            values = {"email": user.email, "team": user.team.name if user.team else ""}
            self.stdout.write(self.style.SUCCESS(done % values))
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
