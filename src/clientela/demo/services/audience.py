"""Who the demo company may write to and whom it picks out: newsletter consents with their
proof (the wording shown, where and when the person agreed), a few withdrawals, and the
marketing team's segments (by rules and a static list), through the consent and segments
services as staff and sign-up forms would write them."""

from __future__ import annotations

import random
from datetime import timedelta

from clientela.consent.models import ConsentChannel, ConsentSource, ConsentStatus, Purpose
from clientela.consent.services import Proof, record_consent, store_wording
from clientela.demo.services.population import Population
from clientela.parties.models import ContactKind
from clientela.segments.models import Segment, SegmentKind
from clientela.segments.schemas import SegmentCreate
from clientela.segments.services import add_static_member, create_segment

SIGNUPS = 300  # newsletter readers whose sign-up is on record
# The newsletter form's box, as each market's site words it.
NEWSLETTER = {
    "pt": "Quero receber por e-mail a newsletter da Aurora Casa & Café com novidades e ofertas.",
    "es": "Quiero recibir por correo la newsletter de Aurora Casa & Café con novedades y ofertas.",
    "it": "Voglio ricevere via e-mail la newsletter di Aurora Casa & Café con novità e offerte.",
    "en": "Send me the Aurora Casa & Café newsletter by e-mail: news and offers.",
}
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari",
)
SEGMENTS = (
    ("VIP customers slipping away", "VIPs whose buying has slowed: call them before they go.",
     {"all": [{"field": "tag", "op": "eq", "value": "VIP"},
              {"field": "lifecycle_state", "op": "in", "value": ["at_risk", "inactive"]}]}),
    ("Champions", "Bought recently, often and for the most.",
     {"all": [{"field": "rfm_segment", "op": "eq", "value": "champions"}]}),
    ("Birthdays in the next two weeks", "For the birthday letter with a tasting voucher.",
     {"all": [{"field": "key_date.birthday", "op": "within_days", "value": 14}]}),
    ("HORECA accounts in Portugal", "Cafés, hotels and restaurants the Lisbon team serves.",
     {"all": [{"field": "tag", "op": "eq", "value": "horeca"},
              {"field": "country", "op": "eq", "value": "PT"}]}),
    ("Newsletter readers", "Tagged newsletter, with an e-mail address.",
     {"all": [{"field": "tag", "op": "eq", "value": "newsletter"},
              {"field": "has_email", "op": "eq", "value": True}]}),
)  # fmt: skip
TRADE_FAIR = ("Trade fair leads", "Prospects met at the HORECA trade fair, to follow up by hand.")


def _ip(rng: random.Random) -> str:
    """An address of a home connection (the proof of a web sign-up)."""
    return ".".join(str(n) for n in (rng.choice((85, 87, 93, 188)), *rng.sample(range(1, 255), 3)))


def add_consents(population: Population) -> int:
    """Newsletter sign-ups on the web shop (some confirmed by e-mail), a few withdrawn later by
    the unsubscribe link; returns how many records were written."""
    world, rng, now = population.world, population.world.rng, population.world.now
    emails = {id(c.party) for c in world.contacts if c.kind == ContactKind.EMAIL}
    readers = [p for p, t in world.tags if t.key == "newsletter" and id(p) in emails]
    wordings = {
        language: store_wording(text, version="newsletter-2024", language=language)
        for language, text in NEWSLETTER.items()
    }
    written = 0
    for party in rng.sample(readers, min(SIGNUPS, len(readers))):
        at = now - timedelta(days=rng.randint(20, 700), minutes=rng.randint(0, 1440))
        source = rng.choice((ConsentSource.WEB_FORM, ConsentSource.DOUBLE_OPT_IN))
        record_consent(
            party, purpose=Purpose.NEWSLETTER, channel=ConsentChannel.EMAIL,
            status=ConsentStatus.GRANTED, source=source,
            wording=wordings.get(party.language.split("-")[0], wordings["en"]),
            proof=Proof(ip=_ip(rng), user_agent=rng.choice(BROWSERS)), at=at,
        )  # fmt: skip
        written += 1
        if rng.random() < 0.08:  # changed their mind: clicked the unsubscribe link
            record_consent(
                party, purpose=Purpose.NEWSLETTER, channel=ConsentChannel.EMAIL,
                status=ConsentStatus.WITHDRAWN, source=ConsentSource.UNSUBSCRIBE_LINK,
                proof=Proof(ip=_ip(rng), user_agent=rng.choice(BROWSERS)),
                at=at + timedelta(days=rng.randint(10, 15)),
            )  # fmt: skip
            written += 1
    return written


def add_segments(population: Population) -> int:
    """The marketing team's segments and its static list of trade-fair leads."""
    marketing = population.staff.marketing
    for name, description, rules in SEGMENTS:
        create_segment(SegmentCreate(name=name, description=description, rules=rules), by=marketing)
    leads = create_segment(
        SegmentCreate(name=TRADE_FAIR[0], description=TRADE_FAIR[1], kind=SegmentKind.STATIC),
        by=marketing,
    )
    fair = [p for p, t in population.world.tags if t.key == "trade-fair"]
    for party in sorted(fair, key=lambda p: p.pk)[:40]:
        add_static_member(leads, party.pk, by=marketing)
    return Segment.objects.count()
