"""`clientela templates`: list the message templates, show one, preview one for a party."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.accounts.models import Role, User
from clientela.accounts.services import find_user
from clientela.core.errors import NotFound
from clientela.core.management.base import ClientelaCommand
from clientela.messaging import queries, services
from clientela.messaging.models import Channel
from clientela.messaging.presenters import preview_out, reason_text, template_out


def acting_user(email: str | None) -> User:
    """The user named by --as, or the first active admin: previews obey their access rules."""
    if email:
        user = find_user(email)
        if not user.is_active:
            raise NotFound(
                gettext_lazy("--as %(email)s: no active user with that e-mail"),
                code="acting_user_unknown",
                params={"email": email},
            )
        return user
    admin = User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
    if admin is None:
        raise NotFound(
            gettext_lazy("there is no active admin to act as; create one or give --as EMAIL"),
            code="acting_admin_missing",
        )
    return admin


class Command(ClientelaCommand):
    help = "Message templates: list them, show one, preview one for a party or a segment."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = commands.add_parser("list", help="templates by name")
        listing.add_argument("--channel", choices=Channel.values)
        listing.add_argument("--archived", action="store_true", help="the archived ones")
        listing.add_argument("--json", action="store_true", help="one JSON object a line")
        show = commands.add_parser("show", help="one template with its variants")
        show.add_argument("template", type=int, metavar="ID")
        show.add_argument("--json", action="store_true")
        preview = commands.add_parser(
            "preview", help="the message for a party (or a sample of a segment), and its variant"
        )
        preview.add_argument("template", type=int, metavar="ID")
        target = preview.add_mutually_exclusive_group(required=True)
        target.add_argument("--party", type=int, metavar="ID")
        target.add_argument("--segment", type=int, metavar="ID", help="a sample of 20 members")
        preview.add_argument("--json", action="store_true", help="the API's answer, as JSON")
        preview.add_argument("--as", dest="as_user", metavar="EMAIL", help="default: first admin")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options)
        elif action == "show":
            self._show(options)
        else:
            self._preview(options)

    def _list(self, options: dict[str, Any]) -> None:
        rows = queries.templates(archived=options["archived"], channel=options["channel"] or "")
        for template in rows:
            if options["json"]:
                self.stdout.write(json.dumps(template_out(template), default=str))
                continue
            languages = ",".join(v.language for v in template.variants.all())
            self.stdout.write(
                f"{template.pk}\t{template.name}\t{template.channel}\t{template.purpose}\t"
                f"{languages} ({template.default_language})"
            )

    def _show(self, options: dict[str, Any]) -> None:
        template = queries.get_template(options["template"])
        out = template_out(template)
        if options["json"]:
            self.stdout.write(json.dumps(out, default=str, indent=2))
            return
        self.stdout.write(
            f"{template.pk}\t{template.name}\t{template.channel}\t{template.purpose}\t"
            + _("default language: %(language)s") % {"language": template.default_language}
        )
        for variant in out["variants"]:
            self.stdout.write(f"\n[{variant['language']}]")
            if variant["subject"]:
                self.stdout.write(_("Subject: %(subject)s") % {"subject": variant["subject"]})
            self.stdout.write(variant["body"])
            if variant["text_body"]:
                self.stdout.write("--\n" + variant["text_body"])

    def _preview(self, options: dict[str, Any]) -> None:
        user = acting_user(options["as_user"])
        template = queries.get_template(options["template"])
        if options["party"] is not None:
            items = [services.preview_for_party(template, options["party"], user=user)]
        else:
            items = services.preview_for_segment(template, options["segment"], user=user)
        outs = [preview_out(item) for item in items]
        if options["json"]:
            self.stdout.write(json.dumps({"items": outs}, indent=2))
            return
        for out in outs:
            self.stdout.write(
                _("Party %(id)s (%(name)s): variant %(language)s, %(reason)s")
                % {
                    "id": out["party_id"],
                    "name": out["party_name"],
                    "language": out["language"] or "-",
                    "reason": reason_text(out["reason"]) if out["reason"] else "-",
                }
            )
            if out["problem"]:
                self.stderr.write(out["problem"])
                continue
            if out["subject"]:
                self.stdout.write(_("Subject: %(subject)s") % {"subject": out["subject"]})
            self.stdout.write(out["text"] + "\n")
