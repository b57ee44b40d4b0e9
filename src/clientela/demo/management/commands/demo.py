"""`clientela demo`: a fresh database of a realistic company, then the server."""

from __future__ import annotations

import secrets
import time
from argparse import ArgumentParser
from dataclasses import replace
from datetime import timedelta
from typing import IO, Any, cast

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from clientela.accounts.models import User
from clientela.analytics.services.refresh import refresh_metrics
from clientela.core.management.base import ClientelaCommand
from clientela.dedupe.services.unmerges import UNMERGE_DAYS
from clientela.demo.services import (
    DEFAULT_CUSTOMERS,
    MAX_CUSTOMERS,
    MIN_CUSTOMERS,
    Reporter,
    Silent,
    Summary,
    build_demo,
    database_label,
    refresh_days,
    replaceable_database,
)
from clientela.demo.services.call_lists import add_call_list
from clientela.demo.services.recent_work import REP_VIEW, RecentWork, add_recent_work
from clientela.demo.services.tour import Tour, find_duplicates, plan_tour

REP_FOR_MY_DAY = "sales.pt@clientela.local"


class Bars:
    """Progress bars on a terminal, one per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


class Command(ClientelaCommand):
    help = "Build a fresh demo database of a realistic company, then serve it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.epilog = (
            "Without CLIENTELA_HOME or CLIENTELA_DATABASE_URL the demo lives in ./var/demo. "
            "It rebuilds only an empty database or an earlier demo; a database with other "
            "data is left alone unless --force is given."
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help="customers to invent; other parties scale with it (default: %(default)s, "
            "about 2,400 parties)",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="random seed, to build the same company again"
        )
        parser.add_argument("--no-serve", action="store_true", help="build, then stop")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument(
            "--force",
            action="store_true",
            help="wipe the database even if it holds data that is not a demo",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customers = options["customers"]
        if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
            raise CommandError(
                gettext("--customers must be between %(min)s and %(max)s, got %(value)s")
                % {"min": MIN_CUSTOMERS, "max": MAX_CUSTOMERS, "value": customers}
            )
        started = time.monotonic()
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(10**6)
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=0)
        self._wipe(force=options["force"], verbosity=verbosity)
        password = secrets.token_urlsafe(9)
        console = Console(file=cast("IO[str]", self.stdout))
        show_bars = verbosity > 0 and console.is_terminal
        with Progress(
            TextColumn("{task.description:<26}"),
            BarColumn(),
            TextColumn("{task.completed:>7,}/{task.total:,}"),
            TimeElapsedColumn(),
            console=console,
            disable=not show_bars,
        ) as progress:
            reporter: Reporter = Bars(progress) if show_bars else Silent()
            with transaction.atomic():
                summary = build_demo(
                    customers=customers, seed=seed, password=password, reporter=reporter
                )
        self._value_customers()
        with transaction.atomic():
            add_call_list()  # after the metrics: it calls the customers slipping away
            find_duplicates()  # the review queue, as `clientela dedupe` fills it
            recent = add_recent_work()  # saved views, a merge, the audit log's first entries
            tour = plan_tour(User.objects.get(email=summary.logins[0][0]))
        summary = replace(summary, seconds=time.monotonic() - started)
        if verbosity:
            self._report(summary, seed, options)
            self._tour(tour, summary, options)
            self._recent(recent, options)
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])

    def _wipe(self, *, force: bool, verbosity: int) -> None:
        """Empty the database if it is a demo (or empty); refuse to touch anything else."""
        if replaceable_database(force=force):
            if verbosity:
                self.stdout.write(f"Replacing the demo in {database_label()}…")
            call_command("flush", interactive=False, verbosity=0)

    def _report(self, summary: Summary, seed: int, options: dict[str, Any]) -> None:
        roles = ", ".join(f"{n:,} {r}" for r, n in sorted(summary.roles.items()))
        span = ""
        if summary.first_order and summary.last_order:
            span = f" from {summary.first_order:%Y-%m-%d} to {summary.last_order:%Y-%m-%d}"
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Demo built in {summary.seconds:.1f} s (seed {seed}) in {database_label()}:"
            )
        )
        out(
            f"  {summary.parties:,} parties ({summary.persons:,} persons, "
            f"{summary.organizations:,} organizations)"
        )
        out(f"  roles: {roles}")
        out(f"  {summary.orders:,} orders with {summary.order_lines:,} lines{span}")
        out(f"  {summary.interactions:,} interactions")
        out(f"  {summary.activities:,} activities planned")
        out(f"  {summary.consents:,} consent records with their proof, {summary.segments} segments")
        out(f"  {summary.duplicates} customers recorded twice, for the duplicate queue")
        out("")
        out(f"Open http://{options['host']}:{options['port']}/ and sign in as:")
        width = max(len(email) for email, _, _ in summary.logins)
        for email, role, team in summary.logins:
            out(f"  {email.ljust(width)}  {role}{f' ({team})' if team else ''}")
        out(f"Password for every demo user: {summary.password}")

    def _tour(self, tour: Tour, summary: Summary, options: dict[str, Any]) -> None:
        """What to try first: sign in, then three pages that show what the product does."""
        site = f"http://{options['host']}:{options['port']}"
        out = self.stdout.write
        admin = summary.logins[0][0]
        out("")
        out(self.style.SUCCESS("Try first:"))
        out(f"  1. Sign in at {site}/ as {admin} (password above).")
        if tour.party_id is not None:
            out(
                f"  2. {tour.party_name}'s page, {site}/parties/{tour.party_id}/: the timeline "
                f"in the customer's language ({tour.party_language}), the newsletter "
                "sign-up with its proof (wording, source, time), metrics and lifecycle."
            )
        out(
            f"  3. The duplicate queue, {site}/duplicates/: {tour.pairs} pairs to review "
            f"({tour.exact_pairs} exact), each a customer recorded twice; merge one."
        )
        if tour.segment_id is not None:
            out(
                f"  4. The segment {site}/segments/{tour.segment_id}/: its rule says tag "
                f'"VIP" and finds the {tour.segment_members} customers tagged "vip" who are '
                "slipping away."
            )

    def _recent(self, recent: RecentWork, options: dict[str, Any]) -> None:
        """Where tonight's staff work shows: the merge to undo, the audit log, saved views."""
        site = f"http://{options['host']}:{options['port']}"
        out = self.stdout.write
        if recent.merge is not None:
            until = recent.merge.at.date() + timedelta(days=UNMERGE_DAYS)
            out(
                f"  5. A merge the manager made, {site}/duplicates/merges/{recent.merge.pk}/: "
                f"the second record of {recent.merge.survivor.display_name} merged into the "
                f"first; it can be undone until {until:%Y-%m-%d}."
            )
        out(
            f"  6. The audit log, {site}/settings/audit/: invitations, a role change, an API "
            "token and an export, each with who and when."
        )
        out(
            f'  Each of the {recent.saved_views} sales reps has a saved view, "{REP_VIEW}", '
            f"on {site}/parties/."
        )
        out(f"  Then sign in as {REP_FOR_MY_DAY} for a sales rep's My day and call list.")

    def _value_customers(self) -> None:
        """Compute customer metrics as of the first of each of the last months, then today,
        so the analytics dashboard opens with values and lifecycle flows to show."""
        for as_of in refresh_days(timezone.now().date()):
            with transaction.atomic():
                refresh_metrics(as_of=as_of)
