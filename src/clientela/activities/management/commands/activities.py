"""`clientela activities`: list, plan and complete activities, or import a file of them."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from clientela.accounts.models import Role, User
from clientela.accounts.services import find_user
from clientela.activities import queries, services
from clientela.activities.models import ActivityKind, ActivityStatus, Priority, RepeatUnit
from clientela.activities.presenters import ATTENTION_LABELS, activity_out, my_day_out
from clientela.activities.schemas import ActivityComplete, ActivityCreate, MyDayQuery
from clientela.core.errors import Invalid, NotFound
from clientela.core.management.base import ClientelaCommand
from clientela.core.validation import field_errors
from clientela.interactions.models import Channel
from clientela.parties.queries import get_visible_party

LIST_LIMIT = 100


def acting_user(email: str | None) -> User:
    """The user named by --as, or the first active admin."""
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


def _validated(schema: Any, data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc


class Command(ClientelaCommand):
    help = "Activities: list them, plan one, complete one (logging the contact), import a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = commands.add_parser("list", help="activities you may see, soonest due first")
        listing.add_argument("--mine", action="store_true", help="yours and your team queue's")
        listing.add_argument("--overdue", action="store_true", help="only those overdue")
        listing.add_argument("--status", action="append", choices=ActivityStatus.values)
        listing.add_argument("--kind", action="append", choices=ActivityKind.values)
        listing.add_argument("--party", type=int, metavar="ID", help="one party's")
        listing.add_argument("--limit", type=int, default=LIST_LIMIT)
        listing.add_argument("--json", action="store_true", help="one JSON object a line")
        add = commands.add_parser("add", help="plan an activity with a party")
        add.add_argument("party", type=int, metavar="PARTY_ID")
        add.add_argument("--kind", choices=ActivityKind.values, default=ActivityKind.CALL)
        add.add_argument("--title", required=True)
        add.add_argument("--due", required=True, metavar="YYYY-MM-DD")
        add.add_argument("--time", metavar="HH:MM", help="default: any time that day")
        add.add_argument("--time-zone", default="", help="default: the assignee's")
        add.add_argument("--notes", default="")
        add.add_argument("--assignee", metavar="EMAIL", help="default: the acting user")
        add.add_argument("--priority", choices=Priority.values, default=Priority.NORMAL)
        add.add_argument("--repeat", choices=[u for u in RepeatUnit.values if u], default="")
        add.add_argument("--every", type=int, default=1, help="repeat every N units")
        complete = commands.add_parser("complete", help="mark done and log the contact")
        complete.add_argument("activity", type=int, metavar="ID")
        complete.add_argument("--outcome", required=True)
        complete.add_argument("--notes", default="")
        complete.add_argument("--channel", choices=Channel.values)
        load = commands.add_parser(
            "import",
            help="import activities from a CSV or NDJSON file (as `clientela import activities`)",
        )
        load.add_argument("file", type=Path)
        load.add_argument("--format", choices=("csv", "ndjson"))
        load.add_argument("--map", action="append", default=[], metavar="SRC=DEST")
        load.add_argument("--dry-run", action="store_true")
        load.add_argument("--skip-invalid", action="store_true")
        load.add_argument("--rejects", type=Path, metavar="FILE")
        load.add_argument("--encoding")
        day = commands.add_parser(
            "my-day", help="your overdue and today's activities and customers needing attention"
        )
        day.add_argument("--member", metavar="EMAIL", help="a member of your team (managers)")
        day.add_argument("--day", metavar="YYYY-MM-DD", help="another day's activities")
        day.add_argument("--json", action="store_true", help="the API's answer, as JSON")
        for sub in (listing, add, complete, load, day):
            sub.add_argument("--as", dest="as_user", metavar="EMAIL", help="default: first admin")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
            return
        user = acting_user(options["as_user"])
        if action == "list":
            self._list(user, options)
        elif action == "add":
            self._add(user, options)
        elif action == "my-day":
            self._my_day(user, options)
        else:
            self._complete(user, options)

    def _list(self, user: User, options: dict[str, Any]) -> None:
        if options["party"] is not None:
            get_visible_party(user, options["party"])  # 404 for a party the user may not see
        rows = queries.search_activities(
            user,
            party_id=options["party"],
            mine=options["mine"],
            overdue=options["overdue"],
            statuses=tuple(options["status"] or ()),
            kinds=tuple(options["kind"] or ()),
        )
        for activity in queries.with_refs(rows)[: max(0, options["limit"])]:
            if options["json"]:
                self.stdout.write(json.dumps(activity_out(activity), default=str))
                continue
            when = activity.due_date.isoformat() + (
                f" {activity.due_time:%H:%M}" if activity.due_time else ""
            )
            who = activity.assignee or activity.queue
            self.stdout.write(
                f"{activity.pk}\t{when}\t{activity.status}\t{activity.kind}\t"
                f"{activity.title}\t{activity.party.display_name}\t{who}"
            )

    def _add(self, user: User, options: dict[str, Any]) -> None:
        data: dict[str, Any] = {
            "party_id": options["party"],
            "kind": options["kind"],
            "title": options["title"],
            "due_date": options["due"],
            "time_zone": options["time_zone"],
            "notes": options["notes"],
            "priority": options["priority"],
            "repeat_unit": options["repeat"],
            "repeat_every": options["every"],
        }
        if options["time"]:
            data["due_time"] = options["time"]
        if options["assignee"]:
            data["assignee_id"] = find_user(options["assignee"]).pk
        schema = _validated(ActivityCreate, data)
        with transaction.atomic():
            activity, _created = services.create_activity(schema, by=user)
        self.stdout.write(
            _("Activity %(id)s planned for %(due)s.")
            % {"id": activity.pk, "due": activity.due_at.isoformat()}
        )

    def _complete(self, user: User, options: dict[str, Any]) -> None:
        activity = queries.get_visible_activity(user, options["activity"])
        data = {"outcome": options["outcome"], "notes": options["notes"]}
        if options["channel"]:
            data["channel"] = options["channel"]
        schema = _validated(ActivityComplete, data)
        with transaction.atomic():
            done, following = services.complete_activity(activity, schema, by=user)
        self.stdout.write(
            _("Activity %(id)s done; interaction %(interaction)s logged.")
            % {"id": done.pk, "interaction": done.interaction_id}
        )
        if following is not None:
            self.stdout.write(
                _("Next occurrence: activity %(id)s on %(due)s.")
                % {"id": following.pk, "due": following.due_date.isoformat()}
            )

    def _my_day(self, user: User, options: dict[str, Any]) -> None:
        member = find_user(options["member"]).pk if options["member"] else None
        day = _validated(MyDayQuery, {"day": options["day"]}).day if options["day"] else None
        found = services.my_day(user, member_id=member, day=day)
        if options["json"]:
            self.stdout.write(json.dumps(my_day_out(found), default=str, indent=2))
            return
        sections = [(_("Overdue"), found.overdue), (_("Due"), found.today)]
        for title, rows in sections:
            self.stdout.write(f"{title} ({len(rows)})")
            for a in rows:
                when = a.due_date.isoformat() + (f" {a.due_time:%H:%M}" if a.due_time else "")
                self.stdout.write(f"  {a.pk}\t{when}\t{a.kind}\t{a.title}\t{a.party.display_name}")
        self.stdout.write(f"{_('Customers who need attention')} ({len(found.attention)})")
        for entry in found.attention:
            label = ATTENTION_LABELS.get(entry.why, entry.why)
            self.stdout.write(f"  {entry.party.pk}\t{entry.party.display_name}\t{label}")
        for load in found.team or []:
            self.stdout.write(
                f"  {load.user}\t{_('overdue')} {load.overdue}\t{_('today')} {load.today}\t"
                f"{_('next 7 days')} {load.next_7_days}\t{_('at risk')} {load.at_risk}"
            )

    def _import(self, options: dict[str, Any]) -> None:
        """The imports app's command does the work: the same checks, report and exit codes."""
        passed: list[str] = ["activities", str(options["file"])]
        for name in ("format", "encoding", "rejects", "as_user"):
            if options[name]:
                flag = "--as" if name == "as_user" else f"--{name}"
                passed += [flag, str(options[name])]
        for pair in options["map"]:
            passed += ["--map", pair]
        for name in ("dry_run", "skip_invalid"):
            if options[name]:
                passed.append("--" + name.replace("_", "-"))
        call_command("import", *passed, stdout=self.stdout, stderr=self.stderr)
