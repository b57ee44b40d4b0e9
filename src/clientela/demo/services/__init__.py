"""Build the demo company: staff, custom fields, parties, three years of orders, interactions.

`build_demo` expects an empty database (`replaceable_database` says whether one must be emptied
first) and runs inside the command's transaction. The company is built in memory (population,
world, history, interactions) and saved in bulk (storage); names, normalised contact values,
display names and search text are computed by the same functions the parties service uses.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.core.errors import Conflict
from clientela.demo.models import DemoDatabase
from clientela.demo.services.activities import add_activities
from clientela.demo.services.audience import add_consents, add_segments
from clientela.demo.services.duplicates import add_duplicates
from clientela.demo.services.history import History
from clientela.demo.services.interactions import add_interactions
from clientela.demo.services.population import (
    TAGS,
    Plan,
    Population,
    add_businesses,
    add_households,
    add_prospects,
    add_stakeholders,
    add_tags,
    create_custom_fields,
)
from clientela.demo.services.progress import Reporter, Silent
from clientela.demo.services.staff import create_staff
from clientela.demo.services.storage import save_population
from clientela.demo.services.templates import add_templates
from clientela.demo.services.world import World
from clientela.parties.models import Party, PartyKind
from clientela.parties.services.tags import tags_named

__all__ = [
    "DEFAULT_CUSTOMERS",
    "MAX_CUSTOMERS",
    "MIN_CUSTOMERS",
    "Reporter",
    "Silent",
    "Summary",
    "build_demo",
    "database_label",
    "refresh_days",
    "replaceable_database",
]

DEFAULT_CUSTOMERS = 1300
MIN_CUSTOMERS, MAX_CUSTOMERS = 10, 100_000
DEMO_COMPANY = {
    "name": "Casa Clientela, Lda.",
    "country": "PT",
    "time_zone": "Europe/Lisbon",
    "reporting_currency": "EUR",
    "language": "pt",
}
# The demo's metrics are computed as of the first of each of these last months, then today.
HISTORY_MONTHS = 6


@dataclass
class Summary:
    """What was built, for the command to print."""

    parties: int
    persons: int
    organizations: int
    roles: dict[str, int]
    orders: int
    order_lines: int
    interactions: int
    first_order: datetime | None
    last_order: datetime | None
    logins: list[tuple[str, str, str]]  # e-mail, role, team
    password: str = field(repr=False)
    seconds: float = 0.0
    activities: int = 0
    consents: int = 0
    segments: int = 0
    duplicates: int = 0  # parties recorded twice on purpose (the duplicate queue's true pairs)


def build_demo(*, customers: int, seed: int, password: str, reporter: Reporter) -> Summary:
    """Fill an empty database with the demo company; returns what was built."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311  (invented data, not secrets)
    now = timezone.now().replace(microsecond=0)
    plan = Plan(customers)
    staff = create_staff(password)
    # A Lisbon shop selling in euros across southern Europe and the UK (names.py's markets).
    update_company(by=staff.admin, **DEMO_COMPANY)
    create_custom_fields()
    tags = {tag.name: tag for tag in tags_named(TAGS)}
    population = Population(World(rng, now), History(rng, now), staff)

    reporter.stage("People and organizations", 4)
    add_households(population, plan.household_customers)
    reporter.advance()
    add_businesses(population, plan.business_customers, global_accounts=plan.global_accounts)
    reporter.advance()
    add_prospects(population, plan.prospects)
    reporter.advance()
    add_stakeholders(population, plan.stakeholders())
    reporter.advance()
    _inherit_assignment(population)

    talkers = len(population.customers) + len(population.prospects)
    reporter.stage("Interactions", talkers + len(population.stakeholders))
    add_interactions(population, reporter)
    add_tags(population, tags)

    duplicates = add_duplicates(population)

    save_population(population, reporter)
    activities = add_activities(population, rng)
    consents = add_consents(population)
    segments = add_segments(population)
    add_templates(staff.marketing)
    DemoDatabase.objects.create(seed=seed, customers=customers)
    return replace(
        summarize(population, started),
        activities=activities,
        consents=consents,
        segments=segments,
        duplicates=len(duplicates),
    )


def _inherit_assignment(population: Population) -> None:
    """People at an organization are looked after by whoever looks after the organization."""
    for affiliation in population.world.affiliations:
        person, organization = affiliation.person, affiliation.organization
        person.team, person.owner = organization.team, organization.owner
        person.created_by = population.staff.admin


def summarize(population: Population, started: float) -> Summary:
    world, history = population.world, population.history
    kinds = Counter(p.kind for p in world.parties)
    dates = [o.ordered_at for o in history.orders]
    staff = population.staff
    users = [staff.admin, staff.manager, *staff.reps.values(), staff.key_accounts,
             staff.marketing, staff.support, staff.viewer]  # fmt: skip
    return Summary(
        parties=len(world.parties),
        persons=kinds[PartyKind.PERSON],
        organizations=kinds[PartyKind.ORGANIZATION],
        roles=dict(Counter(r.role for r in world.roles)),
        orders=len(history.orders),
        order_lines=len(history.lines),
        interactions=len(history.interactions),
        first_order=min(dates, default=None),
        last_order=max(dates, default=None),
        logins=[(u.email, u.role, u.team.name if u.team else "") for u in users],
        password=staff.password,
        seconds=time.monotonic() - started,
    )


def database_label() -> str:
    """The database the demo lives in, as a person would name it."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":  # the engine is Clientela's own SQLite backend
        return str(Path(str(db["NAME"])).resolve())
    return f"PostgreSQL {db.get('HOST') or 'localhost'}/{db['NAME']}"


def replaceable_database(*, force: bool) -> bool:
    """Whether the database holds something to empty before a build: an earlier demo, or
    (with `force`) anything. Conflict when it holds data that is not a demo."""
    is_demo = DemoDatabase.objects.exists()
    users, parties = User.objects.count(), Party.objects.count()
    if not is_demo and (users or parties) and not force:
        raise Conflict(
            _(
                "the database %(database)s holds %(users)s user(s) and %(parties)s party(ies) "
                "and is not a demo: refusing to wipe it. Point CLIENTELA_HOME (or "
                "CLIENTELA_DATABASE_URL) somewhere else, or pass --force to replace it."
            ),
            code="demo_database_not_a_demo",
            params={"database": database_label(), "users": users, "parties": parties},
        )
    return bool(is_demo or users or parties)


def refresh_days(today: date) -> list[date]:
    """The days to compute customer metrics as of, oldest first: the first of each of the last
    months, then today, so the analytics dashboard opens with values and lifecycle flows."""
    first = today.replace(day=1)
    days = []
    for back in range(HISTORY_MONTHS, 0, -1):
        month = (first.month - back - 1) % 12 + 1
        year = first.year + (first.month - back - 1) // 12
        days.append(first.replace(year=year, month=month))
    return [*days, today]
