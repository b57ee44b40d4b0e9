"""The demo's next steps: each rep's calls, meetings and visits, some overdue, some due today,
some done (with the contact they logged), a monthly check-in with key accounts, and a team's
queue. Planned and completed through the activities' own services, as staff would."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from django.utils import timezone

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityKind, Priority, RepeatUnit
from clientela.activities.schemas import ActivityComplete, ActivityCreate
from clientela.activities.services import complete_activity, create_activity
from clientela.demo.services.phrases import phrase
from clientela.demo.services.population import Population
from clientela.parties.models import Party

PER_REP = 12  # activities planned for each rep's customers
TITLES = {
    ActivityKind.CALL: ("Call about the renewal", "Check the last delivery", "Offer the new range"),
    ActivityKind.MEETING: ("Quarterly review", "Present the new catalogue"),
    ActivityKind.VISIT: ("Visit the shop", "Visit the warehouse"),
    ActivityKind.EMAIL: ("Send the price list",),
    ActivityKind.FOLLOW_UP: ("Follow up on the quote", "Ask how the repair went"),
    ActivityKind.LETTER: ("Send the anniversary letter",),
}
OUTCOMES = ("Reached, happy with the service", "Ordered again", "Call back next month")


def _plan(
    rep: User, party: Party, kind: str, due: date, rng: random.Random, **extra: object
) -> int:
    at = (
        time(rng.choice((9, 10, 11, 14, 15, 16)), rng.choice((0, 30))) if kind != "letter" else None
    )
    title = str(extra.pop("title", rng.choice(TITLES[ActivityKind(kind)])))
    data = ActivityCreate.model_validate(
        {
            "party_id": party.pk,
            "kind": kind,
            "title": phrase(title, party.language),  # as the rep writes to this customer
            "due_date": due,
            "due_time": at,
            "priority": rng.choice((Priority.NORMAL, Priority.NORMAL, Priority.HIGH)),
            **extra,
        }
    )
    activity, _created = create_activity(data, by=rep)
    return activity.pk


def add_activities(population: Population, rng: random.Random) -> int:
    """Plan the reps' next steps with their own customers; returns how many were planned."""
    staff = population.staff
    today = timezone.localdate()
    planned = 0
    reps = [*staff.reps.values(), staff.key_accounts]
    for rep in reps:
        mine = [c.party for c in population.customers if c.party.owner_id == rep.pk]
        for n, party in enumerate(rng.sample(mine, min(PER_REP, len(mine)))):
            kind = rng.choice(list(TITLES))
            offset = (-4, -1, 0, 0, 1, 2, 3, 6, 9, 14, -10, -20)[n % 12]
            pk = _plan(rep, party, kind, today + timedelta(days=offset), rng)
            planned += 1
            if offset <= -10 and kind != ActivityKind.FOLLOW_UP:  # done a while ago
                complete_activity(
                    Activity.objects.get(pk=pk),
                    ActivityComplete(outcome=phrase(rng.choice(OUTCOMES), party.language)),
                    by=rep,
                )
        if rep == staff.key_accounts and mine:
            monthly = {"repeat_unit": RepeatUnit.MONTHS, "title": "Monthly check-in"}
            _plan(rep, mine[0], ActivityKind.CALL, today + timedelta(days=7), rng, **monthly)
            planned += 1
        if rep.team_id is not None and mine:
            queued = {"queue_id": rep.team_id}
            _plan(rep, mine[-1], ActivityKind.FOLLOW_UP, today + timedelta(days=1), rng, **queued)
            planned += 1
    return planned
