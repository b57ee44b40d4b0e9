"""Build the demo company: staff, custom fields, parties, three years of orders, interactions.

`build_demo` expects an empty database (the demo command flushes it first) and runs inside the
command's transaction. Rows are bulk-inserted; names, normalised contact values, display names
and search text are computed by the same functions the parties service uses.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from django.contrib.auth.hashers import make_password
from django.db.models import Model
from django.utils import timezone

from clientela.accounts.models import Role, Team, User
from clientela.commerce.models import Order, OrderLine
from clientela.demo.conversations import ALL_SCRIPTS, Script, interaction, moments, pick
from clientela.demo.history import Customer, History, Segment
from clientela.demo.models import DemoDatabase
from clientela.demo.names import MARKETS
from clientela.demo.population import (
    KEY_ACCOUNTS,
    TAGS,
    Plan,
    Population,
    Staff,
    add_businesses,
    add_households,
    add_prospects,
    add_stakeholders,
    add_tags,
    create_custom_fields,
)
from clientela.demo.world import World
from clientela.interactions.models import Interaction
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDate,
    Party,
    PartyChange,
    PartyKind,
    PartyRole,
    Tag,
)
from clientela.parties.services import refresh_search_text

DEFAULT_CUSTOMERS = 1300
DOMAIN = "clientela.local"
M = TypeVar("M", bound=Model)


class Reporter(Protocol):
    """Where progress goes: a terminal progress bar, or nowhere."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Silent:
    def stage(self, name: str, total: int) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


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


USERS = (  # e-mail local part, full name, role, team (or market code for a sales rep)
    ("demo", "Inês Carvalho", Role.ADMIN, None),
    ("manager", "Marco Bellini", Role.MANAGER, None),
    ("sales.pt", "Tiago Ferreira", Role.SALES, "PT"),
    ("sales.es", "Lucía Navarro", Role.SALES, "ES"),
    ("sales.it", "Giulia Conti", Role.SALES, "IT"),
    ("sales.uk", "James Walker", Role.SALES, "GB"),
    ("keyaccounts", "Sofia Almeida", Role.SALES, KEY_ACCOUNTS),
    ("marketing", "Elena Ruiz", Role.MARKETING, None),
    ("support", "Rui Mendes", Role.SUPPORT, "PT"),
    ("viewer", "Olivia Hughes", Role.VIEWER, None),
)


def create_staff(password: str) -> Staff:
    """Teams per market plus key accounts, and one user per job; all share the password."""
    teams = {m.team: Team.objects.create(name=m.team) for m in MARKETS}
    teams[KEY_ACCOUNTS] = Team.objects.create(name=KEY_ACCOUNTS)
    by_code = {m.code: m.team for m in MARKETS}
    digest = make_password(password)  # hashed once: argon2 is slow on purpose
    users: dict[str, User] = {}
    for local, name, role, team in USERS:
        team_name = by_code.get(team or "", team)
        users[local] = User.objects.create(
            email=f"{local}@{DOMAIN}",
            full_name=name,
            role=role,
            team=teams[team_name] if team_name else None,
            password=digest,
        )
    return Staff(
        admin=users["demo"],
        manager=users["manager"],
        marketing=users["marketing"],
        support=users["support"],
        viewer=users["viewer"],
        key_accounts=users["keyaccounts"],
        reps={code: users[f"sales.{code.lower().replace('gb', 'uk')}"] for code in by_code},
        teams=teams,
        password=password,
    )


def build_demo(*, customers: int, seed: int, password: str, reporter: Reporter) -> Summary:
    """Fill an empty database with the demo company; returns what was built."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311  (invented data, not secrets)
    now = timezone.now().replace(microsecond=0)
    plan = Plan(customers)
    staff = create_staff(password)
    create_custom_fields()
    tags = {name: Tag.objects.create(name=name) for name in TAGS}
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

    _save(population, reporter)
    DemoDatabase.objects.create(seed=seed, customers=customers)
    return summarize(population, started)


def _inherit_assignment(population: Population) -> None:
    """People at an organization are looked after by whoever looks after the organization."""
    for affiliation in population.world.affiliations:
        person, organization = affiliation.person, affiliation.organization
        person.team, person.owner = organization.team, organization.owner
        person.created_by = population.staff.admin


def _staff_for(population: Population, party: Party, script: Script) -> User | None:
    staff = population.staff
    if script.direction == "inbound" and script.channel in {
        "toll_free",
        "chat",
        "web_form",
        "email",
        "sms",
    }:
        return staff.support
    if script.channel in {"letter", "sms", "event", "focus_group", "social"}:
        return staff.marketing
    return party.owner or staff.rep(population.world.market_of(party))


def _log(population: Population, party: Party, script: Script, when: datetime) -> None:
    rng = population.world.rng
    market = population.world.market_of(party)
    population.history.interactions.append(
        interaction(
            rng,
            party,
            script,
            when=min(when, population.world.now - timedelta(minutes=5)),
            staff=_staff_for(population, party, script),
            city=rng.choice(market.cities).name,
        )
    )


def _talk(population: Population, party: Party, kind: str, count: int, **span: Any) -> None:
    for when in moments(population.world.rng, count, **span):
        _log(population, party, pick(population.world.rng, kind), when)


def _customer_interactions(population: Population, customer: Customer) -> None:
    rng, now = population.world.rng, population.world.now
    counts = {
        Segment.LOYAL: (3, 10),
        Segment.OCCASIONAL: (2, 5),
        Segment.ONE_TIME: (1, 3),
        Segment.LAPSED: (2, 5),
        Segment.NEW: (1, 3),
    }
    low, high = counts[customer.segment]
    if customer.b2b:
        low, high = low + 2, high + 4
    first, last = customer.dates[0], customer.dates[-1]
    end = now if customer.segment is not Segment.LAPSED else last + timedelta(days=60)
    _talk(
        population,
        customer.party,
        "account" if customer.b2b else "household",
        rng.randint(low, high),
        start=first - timedelta(days=20),
        end=min(end, now),
        anchors=customer.dates,
    )
    if customer.segment is Segment.LAPSED:
        winback = Script(
            "email",
            "outbound",
            "We miss you: win-back offer",
            "A 15% voucher after a long silence.",
            ("no reply", "voucher used"),
        )
        _log(population, customer.party, winback, last + timedelta(days=rng.randint(150, 260)))
    if customer.segment is Segment.NEW:
        welcome = Script("email", "outbound", "Welcome to Aurora Casa & Café",
                         "Welcome e-mail with brewing guides.")  # fmt: skip
        _log(population, customer.party, welcome, first + timedelta(hours=rng.randint(2, 30)))


def add_interactions(population: Population, reporter: Reporter) -> None:
    """Every party's conversations; then one of each kind that chance left out."""
    world = population.world
    rng, now = world.rng, world.now
    start = now - timedelta(days=3 * 365)
    for customer in population.customers:
        _customer_interactions(population, customer)
        reporter.advance()
    recent = now - timedelta(days=400)
    for party in population.prospects:
        _talk(population, party, "prospect", rng.randint(1, 6), start=recent, end=now, anchors=[])
        reporter.advance()
    for party in population.stakeholders:
        _talk(population, party, "stakeholder", rng.randint(1, 5), start=start, end=now, anchors=[])
        reporter.advance()
    seen = {(i.channel, i.direction) for i in population.history.interactions}
    for script in ALL_SCRIPTS:
        if (script.channel, script.direction) not in seen:
            seen.add((script.channel, script.direction))
            party = rng.choice(population.customers).party
            _log(population, party, script, now - timedelta(days=rng.randint(1, 300)))


def _insert(model: type[M], rows: Sequence[M], reporter: Reporter) -> None:
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        model.objects.bulk_create(batch)  # type: ignore[attr-defined]
        reporter.advance(len(batch))


def _depth(party: Party) -> int:
    depth, node = 0, party.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def _save(population: Population, reporter: Reporter) -> None:
    world, history = population.world, population.history
    total = (
        len(world.parties) * 3 + len(world.roles) + len(world.contacts) + len(world.key_dates)
        + len(world.affiliations) + len(world.tags) + len(history.orders) + len(history.lines)
        + len(history.interactions)
    )  # fmt: skip
    reporter.stage("Saving", total)
    # Parents before children, so each child's parent already has its id.
    for depth in range(3):
        _insert(Party, [p for p in world.parties if _depth(p) == depth], reporter)
    _insert(PartyRole, world.roles, reporter)
    _insert(ContactPoint, world.contacts, reporter)
    _insert(KeyDate, world.key_dates, reporter)
    _insert(Affiliation, world.affiliations, reporter)
    through = Party.tags.through
    _insert(through, [through(party=p, tag=t) for p, t in world.tags], reporter)
    _insert(Order, history.orders, reporter)
    _insert(OrderLine, history.lines, reporter)
    _insert(Interaction, history.interactions, reporter)
    _insert(PartyChange, list(_creation_records(world.parties, population.staff.admin)), reporter)
    for party in Party.objects.prefetch_related("contact_points").iterator(chunk_size=1000):
        refresh_search_text(party)
        reporter.advance()


def _creation_records(parties: Iterable[Party], actor: User) -> Iterable[PartyChange]:
    """The change log starts as the parties service starts it: 'created', with the values."""
    fields = ("given_name", "family_name", "organization_name", "language", "timezone")
    for party in parties:
        values = {name: [None, getattr(party, name)] for name in fields if getattr(party, name)}
        yield PartyChange(party=party, actor=actor, action="created", changes=values)


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
