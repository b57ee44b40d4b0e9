"""Invented people and organizations of the demo, with their contact points and key dates.

Nothing is saved here: parties and their rows are built in memory and inserted in bulk by
`demo.services.storage`. Contact values are normalised with `parties.services.identity`,
exactly as the parties service does.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from clientela.core.errors import Problem
from clientela.demo.services.names import MARKETS, City, Market, fold_family
from clientela.parties.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    KeyDate,
    KeyDateKind,
    OrganizationLevel,
    Party,
    PartyKind,
    PartyRole,
    Tag,
)
from clientela.parties.services import display_name
from clientela.parties.services.identity import normalize_contact, normalize_phone, normalize_text

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass
class World:
    """Everything built so far, in insertion order, and what keeps values unique."""

    rng: random.Random
    now: datetime
    parties: list[Party] = field(default_factory=list)
    roles: list[PartyRole] = field(default_factory=list)
    contacts: list[ContactPoint] = field(default_factory=list)
    key_dates: list[KeyDate] = field(default_factory=list)
    affiliations: list[Affiliation] = field(default_factory=list)
    tags: list[tuple[Party, Tag]] = field(default_factory=list)
    markets: dict[int, Market] = field(default_factory=dict)  # id(party) -> market
    domains: dict[int, str] = field(default_factory=dict)  # id(organization) -> web domain
    used: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # people's full names, folded

    def market(self) -> Market:
        return self.rng.choices(MARKETS, weights=[m.weight for m in MARKETS])[0]

    def market_of(self, party: Party) -> Market:
        return self.markets[id(party)]

    def unique(self, value: str, suffix: str = "") -> str:
        """value + suffix, with a number after the value if that was used already."""
        candidate, n = value + suffix, 1
        while candidate in self.used:
            n += 1
            candidate = f"{value}{n}{suffix}"
        self.used.add(candidate)
        return candidate

    def add_role(self, party: Party, role: str, since: date | None = None) -> None:
        self.roles.append(PartyRole(party=party, role=role, since=since))

    def contact(self, party: Party, kind: str, value: str, label: str = "", **parts: str) -> None:
        is_primary = not any(c.party is party and c.kind == kind for c in self._recent(party))
        self.contacts.append(
            ContactPoint(
                party=party,
                kind=kind,
                label=label,
                value=value,
                normalized=normalize_contact(kind, value),
                is_primary=is_primary,
                **parts,
            )
        )

    def _recent(self, party: Party) -> list[ContactPoint]:
        # A party's contact points are appended together, so looking back a little suffices.
        return [c for c in self.contacts[-8:] if c.party is party]


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """'+351 9{1236}X XXX XXX' -> one digit of the set, then random digits for each X."""
    pattern = re.sub(r"\{(\d+)\}", lambda m: rng.choice(m.group(1)), pattern)
    return "".join(str(rng.randint(0, 9)) if c == "X" else c for c in pattern)


def phone_number(rng: random.Random, pattern: str) -> str:
    """A number following the market's plan that `phonenumbers` accepts as valid."""
    for _ in range(50):
        value = fill_pattern(rng, pattern)
        try:
            normalize_phone(value)
        except ValueError:
            continue
        return value
    raise Problem(
        "demo_phone_pattern_unusable",
        _("no valid phone number found for the pattern %(pattern)s"),
        pattern=pattern,
    )


def postal_code(rng: random.Random, market: Market, city: City) -> str:
    prefix = city.postal_prefix
    if market.code == "PT":
        head = prefix + "".join(str(rng.randint(0, 9)) for _ in range(4 - len(prefix)))
        return f"{head}-{rng.randint(0, 999):03d}"
    if market.code == "GB":
        tail = "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        return f"{prefix}{rng.randint(1, 20)} {rng.randint(1, 9)}{tail}"
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(5 - len(prefix)))


def add_address(
    world: World, party: Party, market: Market, label: str = "", city: City | None = None
) -> City:
    rng = world.rng
    city = city or rng.choice(market.cities)
    street = market.street_format.format(
        street=rng.choice(market.streets), number=rng.randint(1, 240)
    )
    code = postal_code(rng, market, city)
    region = f" ({city.region})" if market.code == "IT" else ""
    value = (
        f"{street}, {city.name} {code}"
        if market.code == "GB"
        else f"{street}, {code} {city.name}{region}"
    )
    world.contact(
        party,
        ContactKind.ADDRESS,
        value,
        label,
        street=street,
        locality=city.name,
        region=city.region,
        postal_code=code,
        country=market.code,
    )
    return city


def _slug(text: str) -> str:
    return _NOT_ALNUM.sub("", normalize_text(text))


def _domain_label(name: str) -> str:
    """'Restaurante Tejo' -> 'restaurantetejo'; whole words only, at most 28 letters."""
    label = ""
    for word in normalize_text(name).split():
        part = _slug(word)
        if label and len(label) + len(part) > 28:
            break
        label += part
    return label[:28]


def make_person(world: World, market: Market | None = None, *, contacts: bool = True) -> Party:
    """A person with a name of their market, language, time zone and usual contact points."""
    rng = world.rng
    market = market or world.market()
    # Namesakes are drawn again (a few times): two invented people with one name would be the
    # duplicate queue's false positives, and the demo's pairs are meant to be true ones.
    for _attempt in range(20):
        female = rng.random() < 0.52
        given = rng.choice(market.female if female else market.male)
        count = 2 if market.double_family_name and rng.random() < 0.6 else 1
        families = [fold_family(f) for f in rng.sample(market.families, count)]
        full = normalize_text(" ".join([given, *families]))
        if full not in world.names:
            break
    world.names.add(full)
    party = Party(
        kind=PartyKind.PERSON,
        given_name=given,
        family_name=" ".join(families),
        language=market.language,
        timezone=market.timezone,
    )
    party.display_name = display_name(party)
    world.parties.append(party)
    world.markets[id(party)] = market
    if contacts:
        _person_contacts(world, party, market, given, families[-1])
    return party


def _person_contacts(world: World, party: Party, market: Market, given: str, family: str) -> None:
    rng = world.rng
    first, last = _slug(given), _slug(family)
    if rng.random() < 0.9:
        local = rng.choice(
            [f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", f"{last}.{first}"]
        )
        if rng.random() < 0.3:
            local += str(rng.randint(60, 99))
        domain = rng.choice(market.email_domains)
        world.contact(party, ContactKind.EMAIL, world.unique(local) + "@" + domain, "personal")
    if rng.random() < 0.75:
        world.contact(party, ContactKind.PHONE, phone_number(rng, market.mobile), "mobile")
    if rng.random() < 0.6:
        add_address(world, party, market, "home")
    if rng.random() < 0.15:
        world.contact(party, ContactKind.SOCIAL, "@" + world.unique(first + last), "instagram")


def make_organization(
    world: World,
    market: Market | None = None,
    *,
    trade: str | None = None,
    name: str | None = None,
    level: str = OrganizationLevel.NONE,
    parent: Party | None = None,
    city: City | None = None,
    domain: str | None = None,
) -> Party:
    """An organization of the market with an office address, switchboard, e-mail and website."""
    rng = world.rng
    market = market or world.market()
    if name is None:
        base = company_name(world, market, trade or rng.choice(market.company_trades))
        name = base + rng.choice(market.company_suffixes)
    else:
        base = name
    party = Party(
        kind=PartyKind.ORGANIZATION,
        organization_name=name,
        language=market.language,
        timezone=market.timezone,
        organization_level=level,
        parent=parent,
    )
    party.display_name = display_name(party)
    world.parties.append(party)
    world.markets[id(party)] = market
    shared = domain is not None  # a group's companies and sites share its domain
    domain = domain or f"{world.unique(_domain_label(base))}.{market.web_tld}"
    world.domains[id(party)] = domain
    city = add_address(world, party, market, "office", city)
    world.contact(party, ContactKind.PHONE, phone_number(rng, city.landline), "switchboard")
    mailbox = _slug(city.name) if shared else rng.choice(["info", "hello", "orders", "office"])
    world.contact(party, ContactKind.EMAIL, world.unique(mailbox, "@" + domain), "general")
    if not shared:
        world.contact(party, ContactKind.WEBSITE, f"https://www.{domain}/")
    return party


_ROMAN = (("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


def _roman(n: int) -> str:
    text = ""
    for letters, value in _ROMAN:
        while n >= value:
            text, n = text + letters, n - value
    return text


def company_name(world: World, market: Market, trade: str) -> str:
    """A company name not used yet, with no digits in it: the trade with one of the market's
    stems ("Cafés Estrela"), else with a family name ("Cafés Silva") or two ("Cafés Silva &
    Costa"); numbered in Roman numerals only when all of those are taken."""
    rng = world.rng

    def named(stem: str) -> str:
        return market.company_format.format(trade=trade, stem=stem)

    stems = rng.sample(market.company_stems, len(market.company_stems))
    families = [fold_family(f) for f in rng.sample(market.families, len(market.families))]
    firms = [f"{a} & {b}" for a, b in itertools.pairwise(families)]
    for candidate in (named(stem) for stem in (*stems, *families, *firms)):
        if candidate not in world.used:
            world.used.add(candidate)
            return candidate
    first, n = named(stems[0]), 2
    while f"{first} {_roman(n)}" in world.used:
        n += 1
    world.used.add(f"{first} {_roman(n)}")
    return f"{first} {_roman(n)}"


def make_member(
    world: World, organization: Party, *, role: str | None, since: date | None
) -> Party:
    """A person working at the organization, with a work e-mail and a title."""
    rng = world.rng
    market = world.market_of(organization)
    person = make_person(world, market, contacts=False)
    domain = world.domains[id(organization)]
    local = world.unique(f"{_slug(person.given_name)}.{_slug(person.family_name.split()[-1])}")
    world.contact(person, ContactKind.EMAIL, f"{local}@{domain}", "work")
    if rng.random() < 0.7:
        world.contact(person, ContactKind.PHONE, phone_number(rng, market.mobile), "work mobile")
    world.affiliations.append(
        Affiliation(
            person=person, organization=organization, title=rng.choice(market.titles), since=since
        )
    )
    if role:
        world.add_role(person, role, since)
    return person


def add_personal_dates(world: World, person: Party) -> None:
    """Birthdays (the year often unknown) and wedding anniversaries."""
    rng = world.rng
    if rng.random() < 0.65:
        born = world.now.year - rng.randint(20, 78)
        world.key_dates.append(
            _key_date(rng, person, KeyDateKind.BIRTHDAY, born if rng.random() < 0.7 else None)
        )
    if rng.random() < 0.12:
        married = world.now.year - rng.randint(1, 35)
        world.key_dates.append(
            _key_date(
                rng,
                person,
                KeyDateKind.WEDDING_ANNIVERSARY,
                married if rng.random() < 0.5 else None,
            )
        )


def _key_date(
    rng: random.Random, party: Party, kind: str, year: int | None, label: str = ""
) -> KeyDate:
    month = rng.randint(1, 12)
    day = rng.randint(1, 28 if month == 2 else 30)
    return KeyDate(party=party, kind=kind, label=label, year=year, month=month, day=day)


def add_date(world: World, party: Party, kind: str, when: date, label: str = "") -> None:
    world.key_dates.append(
        KeyDate(party=party, kind=kind, label=label, year=when.year, month=when.month, day=when.day)
    )


def add_founding_date(world: World, organization: Party) -> None:
    year = world.now.year - world.rng.randint(2, 90)
    world.key_dates.append(_key_date(world.rng, organization, KeyDateKind.CUSTOM, year, "Founded"))
