"""What `clientela demo` suggests trying first, found in the demo just built: the duplicate
queue's pairs, a segment whose rule says "VIP" of customers tagged "vip", and a customer whose
page shows a timeline in their own language and a newsletter sign-up with its proof."""

from __future__ import annotations

from dataclasses import dataclass

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate
from clientela.dedupe.services import scan_duplicates
from clientela.parties.models import Party
from clientela.segments.models import Segment
from clientela.segments.queries import members

SHOWN_SEGMENT = "VIP customers slipping away"


@dataclass(frozen=True)
class Tour:
    """Three places to look first, with what they hold."""

    pairs: int  # open pairs in the duplicate queue
    exact_pairs: int
    segment_id: int | None
    segment_members: int
    party_id: int | None
    party_name: str
    party_language: str


def find_duplicates() -> int:
    """Fill the duplicate queue as `clientela dedupe` would; returns the pairs proposed."""
    return scan_duplicates().proposed


def plan_tour(admin: User) -> Tour:
    """Where to look first, as the admin sees it."""
    pairs = DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN)
    segment = Segment.objects.filter(name=SHOWN_SEGMENT).first()
    signed = ConsentRecord.objects.filter(
        party__language__in=("pt", "es", "it"), party__interactions__isnull=False
    ).exclude(ip_address=None)
    party = Party.objects.filter(pk__in=signed.values("party_id")).order_by("pk").first()
    return Tour(
        pairs=pairs.count(),
        exact_pairs=pairs.filter(is_exact=True).count(),
        segment_id=segment.pk if segment else None,
        segment_members=members(segment, admin).count() if segment else 0,
        party_id=party.pk if party else None,
        party_name=party.display_name if party else "",
        party_language=party.language if party else "",
    )
