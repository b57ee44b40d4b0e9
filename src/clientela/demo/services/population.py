"""Who the demo company knows: households, business accounts and their hierarchies,
prospects, and the stakeholders beyond customers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from clientela.demo.services.history import Customer, History, Segment, add_orders, pick_segment
from clientela.demo.services.names import GLOBAL_ACCOUNTS, MARKETS, ROLE_TRADES
from clientela.demo.services.staff import KEY_ACCOUNTS, Staff
from clientela.demo.services.world import (
    World,
    add_date,
    add_founding_date,
    add_personal_dates,
    make_member,
    make_organization,
    make_person,
)
from clientela.parties.models import (
    CustomField,
    CustomFieldType,
    KeyDateKind,
    OrganizationLevel,
    Party,
    PartyKind,
    RelationshipRole,
    Tag,
)

TAGS = (
    "vip",
    "newsletter",
    "horeca",
    "wholesale",
    "coffee-lover",
    "gift-buyer",
    "trade-fair",
    "eco",
    "complained",
    "referral",
)
STORES = {
    "PT": ("Lisboa Chiado", "Porto Baixa"),
    "ES": ("Madrid Salamanca", "Barcelona Gràcia"),
    "IT": ("Milano Brera", "Roma Monti"),
    "GB": ("London Soho",),
}


@dataclass(frozen=True)
class Plan:
    """How many of each kind of party a demo of `customers` customers has."""

    customers: int

    @property
    def business_customers(self) -> int:
        return max(4, round(self.customers * 0.2))

    @property
    def household_customers(self) -> int:
        return max(1, self.customers - self.business_customers)

    @property
    def global_accounts(self) -> int:
        return max(1, min(len(GLOBAL_ACCOUNTS), self.business_customers // 30))

    @property
    def prospects(self) -> int:
        return max(6, round(self.customers * 0.2))

    def stakeholders(self) -> dict[str, int]:
        n = self.customers
        return {
            RelationshipRole.SUPPLIER: max(3, round(n * 0.03)),
            RelationshipRole.DISTRIBUTOR: max(2, round(n * 0.015)),
            RelationshipRole.PARTNER: max(2, round(n * 0.015)),
            RelationshipRole.AGENCY: max(1, round(n * 0.005)),
            RelationshipRole.INTERMEDIARY: max(1, round(n * 0.005)),
            RelationshipRole.INVESTOR: max(2, round(n * 0.01)),
            RelationshipRole.ANALYST: max(1, round(n * 0.005)),
            RelationshipRole.EMPLOYEE: max(3, round(n * 0.02)),
            RelationshipRole.OTHER: max(1, round(n * 0.005)),
        }

    def minimum_parties(self) -> int:
        """A floor on the parties built: every organization but a prospect has a person at it."""
        stakeholders = self.stakeholders()
        organizations = sum(n for role, n in stakeholders.items() if role in ROLE_TRADES)
        organizations -= stakeholders[RelationshipRole.INVESTOR] // 2  # half are angels
        return (
            self.household_customers
            + self.business_customers * 2
            + self.prospects
            + sum(stakeholders.values())
            + organizations
        )


@dataclass
class Population:
    world: World
    history: History
    staff: Staff
    customers: list[Customer] = field(default_factory=list)
    prospects: list[Party] = field(default_factory=list)
    stakeholders: list[Party] = field(default_factory=list)
    complained: set[int] = field(default_factory=set)  # id(party) of those who complained

    def assign(self, party: Party, *, owned: bool, key_account: bool = False) -> None:
        market = self.world.market_of(party)
        if key_account:
            party.team, party.owner = self.staff.teams[KEY_ACCOUNTS], self.staff.key_accounts
        else:
            party.team = self.staff.team(market)
            party.owner = self.staff.rep(market) if owned else None
        party.created_by = self.staff.admin


def _since(customer: Customer) -> date:
    return customer.dates[0].date()


def add_customer(population: Population, customer: Customer, *, members: int = 0) -> None:
    """Orders, the customer role since the first order, key dates, people at an account."""
    world, party = population.world, customer.party
    add_orders(population.history, customer)
    world.add_role(party, RelationshipRole.CUSTOMER, _since(customer))
    add_date(world, party, KeyDateKind.CUSTOMER_SINCE, _since(customer))
    for _ in range(members):
        make_member(world, party, role=RelationshipRole.CUSTOMER, since=_since(customer))
    population.customers.append(customer)


def add_households(population: Population, count: int) -> None:
    world, rng = population.world, population.world.rng
    for _ in range(count):
        party = make_person(world)
        segment = pick_segment(rng, b2b=False)
        customer = Customer(party, segment, b2b=False)
        add_customer(population, customer)
        add_personal_dates(world, party)
        population.assign(party, owned=len(customer.dates) >= 12 and rng.random() < 0.5)
        market = world.market_of(party)
        if len(customer.dates) >= 3:
            party.custom["loyalty_card"] = f"AUR-{rng.randint(1_000_000, 9_999_999)}"
        if rng.random() < 0.35:
            party.custom["preferred_store"] = rng.choice(STORES[market.code])


def _account_fields(population: Population, party: Party, *, key: bool, loyal: bool) -> None:
    rng, now = population.world.rng, population.world.now
    party.custom["employees"] = rng.choice([4, 8, 12, 25, 40, 80, 150, 400, 1200])
    party.custom["key_account"] = key
    if loyal:
        party.custom["next_review"] = (now.date() + timedelta(days=rng.randint(7, 180))).isoformat()


def add_global_account(population: Population, name: str) -> int:
    """A group with subsidiaries in several markets and locations under each; returns its size."""
    world, rng = population.world, population.world.rng
    home = world.market()
    group = make_organization(world, home, name=name, level=OrganizationLevel.GLOBAL_ACCOUNT)
    population.assign(group, owned=True, key_account=True)
    _account_fields(population, group, key=True, loyal=True)
    # A group's head office is invoiced in US dollars; its British arms in pounds.
    customer = Customer(group, Segment.LOYAL, b2b=True, currency="USD")
    add_customer(population, customer, members=2)
    add_founding_date(world, group)
    size = 1
    for market in rng.sample(MARKETS, k=rng.randint(2, 3)):
        suffix = market.company_suffixes[0].lstrip(", ")
        subsidiary = make_organization(
            world,
            market,
            name=world.unique(f"{name} {market.country}") + f" {suffix}",
            level=OrganizationLevel.SUBSIDIARY,
            parent=group,
            domain=world.domains[id(group)],
        )
        population.assign(subsidiary, owned=True, key_account=True)
        _account_fields(population, subsidiary, key=True, loyal=True)
        currency = "GBP" if market.code == "GB" else "EUR"
        add_customer(
            population,
            Customer(subsidiary, Segment.LOYAL, b2b=True, currency=currency),
            members=1,
        )
        size += 1
        for city in rng.sample(market.cities, k=rng.randint(1, 3)):
            location = make_organization(
                world,
                market,
                name=world.unique(f"{name} {city.name}"),
                level=OrganizationLevel.LOCATION,
                parent=subsidiary,
                city=city,
                domain=world.domains[id(group)],
            )
            population.assign(location, owned=True, key_account=True)
            segment = rng.choice([Segment.LOYAL, Segment.LOYAL, Segment.OCCASIONAL])
            add_customer(
                population, Customer(location, segment, b2b=True, currency=currency), members=1
            )
            size += 1
    return size


def add_businesses(population: Population, count: int, *, global_accounts: int) -> None:
    world, rng = population.world, population.world.rng
    names = list(GLOBAL_ACCOUNTS)
    rng.shuffle(names)
    built = sum(add_global_account(population, names[i]) for i in range(global_accounts))
    for _ in range(max(0, count - built)):
        party = make_organization(world)
        segment = pick_segment(rng, b2b=True)
        customer = Customer(party, segment, b2b=True, via_distributor=rng.random() < 0.15)
        if world.market_of(party).code == "GB":  # British businesses are invoiced in pounds
            customer.currency = "GBP"
        add_customer(population, customer, members=rng.choice([1, 1, 2, 2, 3]))
        population.assign(party, owned=True)
        _account_fields(population, party, key=False, loyal=segment is Segment.LOYAL)
        if rng.random() < 0.4:
            add_founding_date(world, party)


def add_prospects(population: Population, count: int) -> None:
    world, rng = population.world, population.world.rng
    for _ in range(count):
        since = world.now.date() - timedelta(days=rng.randint(5, 400))
        if rng.random() < 0.6:
            party = make_person(world)
            add_personal_dates(world, party)
        else:
            party = make_organization(world)
            make_member(world, party, role=RelationshipRole.PROSPECT, since=since)
        world.add_role(party, RelationshipRole.PROSPECT, since)
        population.assign(party, owned=party.kind == "organization" or rng.random() < 0.3)
        population.prospects.append(party)


def _stakeholder_org(population: Population, role: str) -> Party:
    world, rng = population.world, population.world.rng
    market = world.market()
    trade = rng.choice(ROLE_TRADES[role][market.language])
    party = make_organization(world, market, trade=trade)
    make_member(world, party, role=role, since=None)
    if rng.random() < 0.5:
        make_member(world, party, role=role, since=None)
    add_founding_date(world, party)
    return party


def add_stakeholders(population: Population, counts: dict[str, int]) -> None:
    """Suppliers, distributors, partners, agencies, intermediaries, investors, analysts, staff."""
    world, rng = population.world, population.world.rng
    for role, count in counts.items():
        for i in range(count):
            if role in ROLE_TRADES and not (role == RelationshipRole.INVESTOR and i % 2):
                party = _stakeholder_org(population, role)
            else:
                party = make_person(world)
                add_personal_dates(world, party)
            since = world.now.date() - timedelta(days=rng.randint(60, 3650))
            world.add_role(party, role, since)
            population.assign(party, owned=role != RelationshipRole.EMPLOYEE)
            population.stakeholders.append(party)


def create_custom_fields() -> None:
    """One field of each type, as an admin would define them."""
    stores = [s for names in STORES.values() for s in names]
    CustomField.objects.bulk_create(
        [
            CustomField(key="loyalty_card", label="Loyalty card", type=CustomFieldType.TEXT,
                        applies_to=PartyKind.PERSON, position=1),
            CustomField(key="preferred_store", label="Preferred store",
                        type=CustomFieldType.CHOICE, choices=stores,
                        applies_to=PartyKind.PERSON, position=2),
            CustomField(key="employees", label="Employees", type=CustomFieldType.NUMBER,
                        applies_to=PartyKind.ORGANIZATION, position=3),
            CustomField(key="key_account", label="Key account", type=CustomFieldType.BOOLEAN,
                        applies_to=PartyKind.ORGANIZATION, position=4),
            CustomField(key="next_review", label="Next business review",
                        type=CustomFieldType.DATE, applies_to=PartyKind.ORGANIZATION,
                        position=5),
        ]
    )  # fmt: skip


def add_tags(population: Population, tags: dict[str, Tag]) -> None:
    """Labels a marketing team would put on: VIPs, newsletter readers, HORECA accounts…"""
    world, rng = population.world, population.world.rng
    complained = population.complained
    spent: Counter[int] = Counter()
    for order in population.history.orders:
        spent[id(order.party)] += int(order.total)
    for customer in population.customers:
        party = customer.party
        names = set()
        if not customer.b2b and spent[id(party)] > 1500:
            names.add("vip")
        if customer.b2b:
            names.add("wholesale" if customer.via_distributor else "horeca")
        elif rng.random() < 0.2:
            names.add("coffee-lover")
        if id(party) in complained:
            names.add("complained")
        world.tags += [(party, tags[n]) for n in sorted(names)]
    for party in world.parties:
        for name, share in (("newsletter", 0.3), ("eco", 0.06), ("referral", 0.04)):
            if party.kind == PartyKind.PERSON and rng.random() < share:
                world.tags.append((party, tags[name]))
    for party in population.prospects:
        if rng.random() < 0.25:
            world.tags.append((party, tags["trade-fair"]))
    for customer in population.customers:
        if not customer.b2b and rng.random() < 0.1:
            world.tags.append((customer.party, tags["gift-buyer"]))
