"""Saving what the demo built in memory: rows inserted in bulk, parents before children.

The change log is written by the parties service (`record_change`), as for any new party.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeVar

from django.db.models import Model

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.commerce.services.rates import import_rates
from clientela.demo.services.history import demo_rates
from clientela.demo.services.population import Population
from clientela.demo.services.progress import Reporter
from clientela.interactions.models import Interaction
from clientela.parties.models import Affiliation, ContactPoint, KeyDate, Party, PartyRole
from clientela.parties.services import record_change, refresh_search_text

M = TypeVar("M", bound=Model)


def _insert(model: type[M], rows: Sequence[M], reporter: Reporter) -> None:
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        model._default_manager.bulk_create(batch)
        reporter.advance(len(batch))


def _depth(party: Party) -> int:
    depth, node = 0, party.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def save_population(population: Population, reporter: Reporter) -> None:
    """Insert every row built, then start each party's change log and search text."""
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
    save_rates(population)
    record_creations(world.parties, actor=population.staff.admin, reporter=reporter)
    for party in Party.objects.prefetch_related("contact_points").iterator(chunk_size=1000):
        refresh_search_text(party)
        reporter.advance()


def save_rates(population: Population) -> None:
    """The rates that convert the demo's dollar and pound orders, through commerce's import."""
    text = "date,currency,rate,base\n" + "".join(
        f"{day.isoformat()},{code},{rate},EUR\n"
        for day, code, rate in demo_rates(population.history)
    )
    import_rates(io.StringIO(text), fmt="long", source="demo", by=population.staff.admin)


CREATED_FIELDS = ("given_name", "family_name", "organization_name", "language", "timezone")


def record_creations(parties: Sequence[Party], *, actor: User, reporter: Reporter) -> None:
    """Each party's change log starts as the parties service starts it: 'created', with the
    values, written by that service."""
    for party in parties:
        values = {
            name: [None, getattr(party, name)] for name in CREATED_FIELDS if getattr(party, name)
        }
        record_change(party, actor=actor, action="created", changes=values)
        reporter.advance()
