"""`clientela token`: create, list and revoke API tokens."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.accounts.models import ApiToken
from clientela.accounts.services import create_token, find_user, revoke_token
from clientela.core.console import note
from clientela.core.errors import NotFound
from clientela.core.management.base import ClientelaCommand


class Command(ClientelaCommand):
    help = "Manage API tokens: create (shown once), list, revoke."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = commands.add_parser(
            "create",
            help="print a new API token for a user (shown only this once)",
            description="Create an API token and print it. Only its digest is stored: "
            "copy it now. Use it as `Authorization: Bearer <token>`.",
        )
        create.add_argument("email", metavar="EMAIL")
        create.add_argument("--name", default="", help="what the token is for", metavar="NAME")
        listing = commands.add_parser(
            "list", help="list a user's tokens: id, name, prefix, created, last used, revoked"
        )
        listing.add_argument("email", metavar="EMAIL")
        revoke = commands.add_parser("revoke", help="revoke a token by id; it stops at once")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            with transaction.atomic():
                token, raw = create_token(find_user(options["email"]), name=options["name"])
            done = _("Token %(id)s for %(email)s; shown once, copy it now:") % {
                "id": token.pk,
                "email": token.user.email,
            }
            if self.stdout.isatty():  # a person reading: a success, above the token
                self.stdout.write(done, style_func=self.style.SUCCESS)
            else:  # a pipe (TOKEN=$(…)) carries the token alone; the line is a plain note
                note(self.stderr, done)
            self.stdout.write(raw)
        elif action == "list":
            self._list(options["email"])
        else:
            self._revoke(options["token_id"])

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise NotFound(
                gettext_lazy("no token with id %(id)s"),
                code="token_not_found",
                params={"id": token_id},
            )
        with transaction.atomic():
            revoke_token(token.user, token_id)
        self.stdout.write(
            _("Token %(id)s (%(prefix)s…, %(email)s) revoked.")
            % {"id": token_id, "prefix": token.prefix, "email": token.user.email}
        )

    def _list(self, email: str) -> None:
        user = find_user(email)
        rows = [(_("ID"), _("NAME"), _("PREFIX"), _("CREATED"), _("LAST USED"), _("REVOKED"))]
        rows += [
            (
                str(t.pk),
                t.name or "-",
                t.prefix + "…",
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.revoked_at),
            )
            for t in user.api_tokens.order_by("-created_at", "-id")
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"
