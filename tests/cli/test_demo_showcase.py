"""`clientela demo` shows the product: segments, consents with proof, true duplicate pairs,
conversations in each customer's language, company names without digits, what to try first."""

from __future__ import annotations

import random
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, ConsentSource, ConsentStatus
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate
from clientela.demo.services.conversations import ALL_SCRIPTS
from clientela.demo.services.names import PORTUGAL
from clientela.demo.services.phrases import BOOKS
from clientela.demo.services.world import World, make_organization
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from clientela.parties.services.identity import normalize_name
from clientela.segments.models import Segment, SegmentKind
from clientela.segments.queries import members

pytestmark = pytest.mark.django_db


def build(customers: int = 200, seed: int = 7) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--customers", str(customers), "--seed", str(seed),
                 stdout=out)  # fmt: skip
    return out.getvalue()


def test_every_conversation_has_words_in_portuguese_spanish_and_italian() -> None:
    texts = {t for s in ALL_SCRIPTS for t in (s.subject, s.notes, *s.outcomes) if t}
    for language, book in BOOKS.items():
        missing = texts - set(book)
        assert not missing, (language, sorted(missing))
        for english, said in book.items():  # the same blanks to fill
            assert re.findall(r"{\w+}", english) == re.findall(r"{\w+}", said), said


def test_customers_are_written_to_in_their_own_language() -> None:
    build()
    for language, book in BOOKS.items():
        subjects = set(
            Interaction.objects.filter(party__language=language).values_list("subject", flat=True)
        )
        said = set(book.values())
        assert subjects, language
        # Every subject is the book's (with its product or city filled in), none in English.
        english = {s for s in subjects if not any(_fits(s, p) for p in said)}
        assert not english, (language, sorted(english)[:5])
    english = set(
        Interaction.objects.filter(party__language="en").values_list("subject", flat=True)
    )
    assert english & {s.subject for s in ALL_SCRIPTS}


def _fits(text: str, pattern: str) -> bool:
    parts = [re.escape(p) for p in re.split(r"{\w+}", pattern)]
    return re.fullmatch(".+".join(parts), text) is not None


def test_company_names_carry_no_digits_even_when_the_usual_ones_run_out() -> None:
    world = World(random.Random(7), timezone.now())
    names = [make_organization(world, PORTUGAL).organization_name for _ in range(600)]
    assert not [n for n in names if re.search(r"\d", n)]
    assert len({n.split(",")[0] for n in names}) == len(names)  # each one its own name


def test_the_duplicate_queue_holds_the_customers_recorded_twice_and_nothing_else() -> None:
    build(400)
    pairs = list(DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN))
    assert len(pairs) >= 5
    for pair in pairs:
        first, second = pair.party_a, pair.party_b
        # The second record is a store sign-up keyed in later, named nearly as the first.
        assert first.roles.filter(role="customer").exists(), pair.reasons
        assert second.roles.filter(role="prospect").exists(), pair.reasons
        codes = {r["code"] for r in pair.reasons}
        assert codes & {"same_email", "same_phone"}, codes
        assert normalize_name(first.display_name)[:4] == normalize_name(second.display_name)[:4]


def test_the_demo_has_segments_by_rules_and_a_static_list() -> None:
    build()
    admin = User.objects.get(email="demo@clientela.local")
    kinds = set(Segment.objects.values_list("kind", flat=True))
    assert kinds == {SegmentKind.RULES, SegmentKind.STATIC}
    vip = Segment.objects.get(name="VIP customers slipping away")
    assert vip.rules["all"][0] == {"field": "tag", "op": "eq", "value": "VIP"}
    for party in members(vip, admin):  # "VIP" in the rule, "vip" on the parties
        assert "vip" in set(party.tags.values_list("name", flat=True))
    readers = Segment.objects.get(name="Newsletter readers")
    assert members(readers, admin).count() > 20
    leads = Segment.objects.get(kind=SegmentKind.STATIC)
    assert leads.static_members.count() > 0


def test_newsletter_consents_carry_their_proof() -> None:
    build()
    granted = ConsentRecord.objects.filter(status=ConsentStatus.GRANTED, purpose="newsletter")
    assert granted.count() > 20
    for record in granted.select_related("wording", "party")[:50]:
        assert record.source in {ConsentSource.WEB_FORM, ConsentSource.DOUBLE_OPT_IN}
        assert record.ip_address
        assert record.user_agent
        assert "Aurora Casa & Café" in record.wording.text
        assert record.wording.language == (record.party.language or "en")[:2]
    assert ConsentRecord.objects.filter(source=ConsentSource.UNSUBSCRIBE_LINK).exists()


@pytest.mark.django_db(transaction=True)  # the second build empties the first, committed
def test_the_same_seed_builds_the_same_company() -> None:
    build(40, seed=11)
    first = sorted(Party.objects.values_list("display_name", flat=True))
    build(40, seed=11)
    assert sorted(Party.objects.values_list("display_name", flat=True)) == first


def test_the_demo_ends_by_saying_what_to_try_first() -> None:
    output = build()
    tail = output[output.index("Try first:") :]
    assert "Sign in at http://127.0.0.1:8000/ as demo@clientela.local" in tail
    party = re.search(r"http://127\.0\.0\.1:8000/parties/(\d+)/", tail)
    assert party is not None
    assert Party.objects.get(pk=party.group(1)).consent_records.exists()
    pairs = re.search(r"/duplicates/: (\d+) pairs", tail)
    assert pairs is not None
    open_pairs = DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN)
    assert int(pairs.group(1)) == open_pairs.count() > 0
    segment = re.search(r"/segments/(\d+)/", tail)
    assert segment is not None
    assert Segment.objects.get(pk=segment.group(1)).name == "VIP customers slipping away"
