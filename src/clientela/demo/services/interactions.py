"""The demo's conversations: every party's interactions over three years, on every channel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from clientela.accounts.models import User
from clientela.demo.services.conversations import ALL_SCRIPTS, Script, interaction, moments, pick
from clientela.demo.services.history import Customer, Segment
from clientela.demo.services.population import Population
from clientela.demo.services.progress import Reporter
from clientela.parties.models import Party


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
    if script.subject.startswith("Complaint"):  # tagged "complained" (the subject is translated)
        population.complained.add(id(party))
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
