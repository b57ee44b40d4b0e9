"""Interactions of the demo: what each kind of party talks about, on which channel, with whom."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from clientela.accounts.models import User
from clientela.demo.services.catalogue import CATALOGUE
from clientela.demo.services.phrases import phrase
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.parties.models import Party

IN, OUT = Direction.INBOUND, Direction.OUTBOUND


@dataclass(frozen=True)
class Script:
    """One kind of conversation: channel, direction, subject, notes, possible outcomes."""

    channel: str
    direction: str
    subject: str
    notes: str = ""
    outcomes: tuple[str, ...] = ("",)
    weight: float = 1.0


def _s(
    channel: str, direction: str, subject: str, notes: str = "", *outcomes: str, w: float = 1
) -> Script:
    return Script(channel, direction, subject, notes, outcomes or ("",), w)


HOUSEHOLD = (
    _s(
        Channel.EMAIL,
        IN,
        "Question about delivery",
        "Asked when the last order will arrive.",
        "answered",
        "resolved",
        w=4,
    ),
    _s(
        Channel.EMAIL,
        IN,
        "Return request",
        "Wants to return {product}; return label sent.",
        "return approved",
        w=2,
    ),
    _s(Channel.EMAIL, OUT, "Thank-you after an order", "Brewing tips for {product}.", w=3),
    _s(Channel.PHONE, IN, "Order by phone", "Ordered {product} by phone.", "order placed", w=2),
    _s(
        Channel.PHONE,
        OUT,
        "Satisfaction call",
        "Asked how {product} is working out.",
        "satisfied",
        "callback requested",
        "no answer",
        w=2,
    ),
    _s(
        Channel.TOLL_FREE,
        IN,
        "Toll-free line: machine not heating",
        "Walked the customer through descaling.",
        "resolved",
        "technician visit booked",
        w=2,
    ),
    _s(
        Channel.TOLL_FREE,
        IN,
        "Toll-free line: billing question",
        "Asked about a double charge; refund confirmed.",
        "resolved",
    ),
    _s(Channel.SMS, OUT, "Order shipped", "SMS with the tracking link.", w=2),
    _s(
        Channel.SMS,
        IN,
        "Replied to the delivery SMS",
        "Asked to leave the parcel next door.",
        "noted",
    ),
    _s(
        Channel.CHAT,
        IN,
        "Chat: which grind for a moka pot?",
        "Recommended a medium-fine grind.",
        "answered",
        w=3,
    ),
    _s(
        Channel.WEB_FORM,
        IN,
        "Complaint: parcel arrived damaged",
        "Photos attached; {product} broken in transit.",
        "replacement sent",
        "refund issued",
        w=2,
    ),
    _s(
        Channel.WEB_FORM,
        IN,
        "Suggestion: more decaf options",
        "Would like a decaf single origin.",
        "forwarded to buying",
    ),
    _s(
        Channel.SOCIAL,
        IN,
        "Instagram message about gift boxes",
        "Asked whether gift boxes can carry a personal note.",
        "answered",
    ),
    _s(Channel.SOCIAL, OUT, "Thanked for a review", "Replied to a five-star review.", w=0.7),
    _s(Channel.LETTER, OUT, "Birthday letter with a tasting voucher", w=1),
    _s(Channel.LETTER, IN, "Thank-you letter", "Handwritten note praising the store staff.", w=0.4),
    _s(
        Channel.FACE_TO_FACE,
        IN,
        "Visited the store",
        "Tasted the new blend; bought {product}.",
        "purchase",
        "no purchase",
        w=2,
    ),
    _s(Channel.EVENT, OUT, "Invited to a latte art evening", "", "attended", "declined"),
    _s(
        Channel.FOCUS_GROUP,
        OUT,
        "Focus group: compostable capsules",
        "Ninety-minute session on the new capsule range.",
        "attended",
        w=0.4,
    ),
)

ACCOUNT = (
    _s(
        Channel.EMAIL,
        IN,
        "Weekly order",
        "Sent the weekly order for {product}.",
        "order placed",
        w=3,
    ),
    _s(
        Channel.EMAIL,
        OUT,
        "Quote for the new season",
        "Quote for {product} and a service plan.",
        "quote sent",
        "accepted",
        w=2,
    ),
    _s(
        Channel.PHONE,
        IN,
        "Urgent delivery request",
        "Ran out of {product}; asked for next day.",
        "delivered next day",
        w=2,
    ),
    _s(
        Channel.PHONE,
        OUT,
        "Account review call",
        "Quarterly review of volumes and prices.",
        "follow-up meeting",
        "renewed",
        w=2,
    ),
    _s(Channel.FAX, IN, "Purchase order by fax", "Purchase order received by fax.", "order placed"),
    _s(Channel.FAX, OUT, "Order confirmation by fax", w=0.5),
    _s(
        Channel.FACE_TO_FACE,
        OUT,
        "Sales visit",
        "Visited the {city} site with {product}.",
        "samples left",
        "order placed",
        w=3,
    ),
    _s(
        Channel.FACE_TO_FACE,
        IN,
        "Came to the showroom",
        "Tested the two-group machine.",
        "quote requested",
    ),
    _s(
        Channel.EVENT,
        OUT,
        "Met at the HORECA trade fair",
        "Interested in {product}.",
        "follow-up agreed",
    ),
    _s(Channel.LETTER, OUT, "Contract renewal letter", "", "signed", "pending"),
    _s(
        Channel.TOLL_FREE,
        IN,
        "Technician line: machine out of order",
        "Technician sent the same day.",
        "resolved",
    ),
    _s(Channel.CHAT, IN, "Chat: copy of an invoice", "", "sent"),
    _s(Channel.SMS, OUT, "Delivery slot reminder"),
    _s(Channel.WEB_FORM, IN, "Trade portal: new delivery address", "", "updated"),
    _s(Channel.SOCIAL, IN, "LinkedIn message about a new location", "", "forwarded", w=0.5),
    _s(Channel.FOCUS_GROUP, OUT, "Focus group: café owners' panel", "", "attended", w=0.5),
)

PROSPECT = (
    _s(
        Channel.EMAIL,
        OUT,
        "Introduction",
        "Presented the trade catalogue.",
        "no reply",
        "meeting booked",
        w=3,
    ),
    _s(
        Channel.PHONE,
        OUT,
        "Qualification call",
        "Volumes, current supplier, decision maker.",
        "qualified",
        "not now",
        "no answer",
        w=3,
    ),
    _s(Channel.WEB_FORM, IN, "Asked for the trade price list", "", "price list sent", w=2),
    _s(
        Channel.EVENT,
        OUT,
        "Met at the HORECA trade fair",
        "Interested in {product}.",
        "follow-up agreed",
        w=2,
    ),
    _s(
        Channel.FACE_TO_FACE,
        OUT,
        "Tasting at their premises",
        "Brought {product} to taste.",
        "samples left",
        "proposal requested",
    ),
    _s(Channel.CHAT, IN, "Chat: do you deliver to {city}?", "", "answered"),
    _s(Channel.SOCIAL, IN, "Asked for prices under a post", "", "answered", w=0.5),
    _s(Channel.LETTER, OUT, "Printed catalogue sent"),
    _s(Channel.SMS, OUT, "Tasting reminder", w=0.5),
)

STAKEHOLDER = (
    _s(Channel.EMAIL, IN, "Invoice and delivery schedule", "", "filed", w=2),
    _s(Channel.EMAIL, OUT, "Forecast for next quarter", "", "acknowledged", w=2),
    _s(Channel.PHONE, OUT, "Negotiated next year's terms", "", "agreed", "pending"),
    _s(Channel.PHONE, IN, "Called about sell-out figures", "", "figures sent"),
    _s(Channel.FACE_TO_FACE, OUT, "Quarterly business review", "", "action plan agreed", w=2),
    _s(Channel.EVENT, OUT, "Invited to the annual partner day", "", "attended", "declined"),
    _s(Channel.LETTER, IN, "Annual report received", "", "filed", w=0.5),
    _s(Channel.FAX, IN, "Certificate of origin by fax", "", "filed", w=0.3),
)

SCRIPTS: dict[str, Sequence[Script]] = {
    "household": HOUSEHOLD,
    "account": ACCOUNT,
    "prospect": PROSPECT,
    "stakeholder": STAKEHOLDER,
}
ALL_SCRIPTS = tuple(s for scripts in SCRIPTS.values() for s in scripts)


def pick(rng: random.Random, kind: str) -> Script:
    scripts = SCRIPTS[kind]
    return rng.choices(scripts, weights=[s.weight for s in scripts])[0]


def interaction(
    rng: random.Random,
    party: Party,
    script: Script,
    *,
    when: datetime,
    staff: User | None,
    city: str,
) -> Interaction:
    product = rng.choice(CATALOGUE).name

    def fill(text: str) -> str:  # in the customer's own language
        return phrase(text, party.language).format(product=product, city=city)

    return Interaction(
        party=party,
        channel=script.channel,
        direction=script.direction,
        occurred_at=when,
        staff=staff,
        subject=fill(script.subject)[:200],
        notes=fill(script.notes),
        outcome=fill(rng.choice(script.outcomes)),
        created_by=staff,
    )


def moments(
    rng: random.Random, count: int, *, start: datetime, end: datetime, anchors: Sequence[datetime]
) -> list[datetime]:
    """When conversations happened: half around the given moments (orders), half any time."""
    span = max((end - start).total_seconds(), 3600.0)
    result = []
    for _ in range(count):
        if anchors and rng.random() < 0.5:
            moment = rng.choice(anchors) + timedelta(hours=rng.uniform(2, 24 * 6))
        else:
            moment = start + timedelta(seconds=rng.uniform(0, span))
        moment = moment.replace(hour=rng.randint(8, 19), minute=rng.randint(0, 59))
        result.append(min(moment, end).replace(second=0, microsecond=0))
    return result
