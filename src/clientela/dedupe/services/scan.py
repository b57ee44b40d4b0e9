"""The duplicate scan: block parties on shared keys, score the pairs in each block, store.

Comparing every party with every other is n²/2 comparisons (5·10⁹ for 100,000 parties), so
only parties that share a blocking key are compared: an e-mail, a phone, an e-mail local
part, an organization, or a name key (one exact name word plus the first or last letter of
another word — a typo changes one word, so the other words still meet). Names in a block are
compared all at once with rapidfuzz's cdist. See docs/identity.md.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

import numpy as np
from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz, process

from clientela.dedupe.models import CandidateStatus, DuplicateCandidate
from clientela.dedupe.services.scoring import PROPOSE_AT, Match, Profile, score_pair
from clientela.parties.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    KeyDate,
    KeyDateKind,
    Party,
    PartyKind,
)
from clientela.parties.services.identity import name_key, normalize_name

NAME_FLOOR = 75  # names less alike than this are not kept from a name block
MAX_NAME_BLOCK = 4000  # a name key shared by more parties than this tells nothing
MAX_CONTACT_BLOCK = 50  # a phone or e-mail shared by more parties is a switchboard
MAX_WORDS = 4  # name words used for name keys (the longest ones)
CDIST_FROM = 24  # blocks at least this big are scored with cdist, smaller ones pair by pair
PARALLEL_FROM = 1000  # blocks at least this big are scored on every core
BATCH = 1000


@dataclass(frozen=True)
class ScanResult:
    """What a scan saw and did."""

    parties: int
    compared: int
    proposed: int
    created: int
    updated: int
    removed: int
    seconds: float


def load_profiles() -> dict[int, Profile]:
    """Every live party's names, contacts, organizations, cities and birthday, normalised."""
    profiles: dict[int, Profile] = {}
    person_orgs: list[tuple[int, str]] = []
    rows = Party.objects.filter(archived_at__isnull=True).values_list(
        "pk", "kind", "given_name", "family_name", "organization_name", "name_key"
    )
    for pk, kind, given, family, org, key in rows.iterator(chunk_size=5000):
        # Rows written before name_key existed, or by raw inserts, get theirs computed here.
        profiles[pk] = Profile(
            pk, kind, key or name_key(kind, given, family, org), given, family, org
        )
        if kind == PartyKind.PERSON and org:
            person_orgs.append((pk, name_key(PartyKind.ORGANIZATION, "", "", org)))
    cities: dict[str, str] = {}
    contacts = ContactPoint.objects.filter(
        kind__in=[ContactKind.EMAIL, ContactKind.PHONE, ContactKind.ADDRESS]
    ).values_list("party_id", "kind", "normalized", "locality")
    for party_id, kind, normalized, locality in contacts.iterator(chunk_size=5000):
        profile = profiles.get(party_id)
        if profile is None:
            continue
        if kind == ContactKind.EMAIL:
            profile.add_email(normalized)
        elif kind == ContactKind.PHONE:
            profile.phones.add(normalized)
        elif locality:
            city = cities.get(locality)
            if city is None:
                city = cities[locality] = normalize_name(locality)
            if city:
                profile.cities.add(city)
    for person_id, org_key in person_orgs:
        profiles[person_id].organizations.add(org_key)
    links = Affiliation.objects.values_list("person_id", "organization_id")
    for person_id, org_id in links.iterator(chunk_size=5000):
        member, employer = profiles.get(person_id), profiles.get(org_id)
        if member is not None and employer is not None:
            member.organizations.add(employer.key)
    birthdays = KeyDate.objects.filter(kind=KeyDateKind.BIRTHDAY).values_list(
        "party_id", "year", "month", "day"
    )
    for party_id, year, month, day in birthdays.iterator(chunk_size=5000):
        if (profile := profiles.get(party_id)) is not None:
            profile.birthday = (year, month, day)
    return profiles


def name_block_keys(profile: Profile) -> set[str]:
    """Keys that one typo or a swap of words leaves unchanged, at least one of them.

    Each key is one whole word of the name and the first or the last letters of another word
    (three of a long word, two of a middle one, one of a short one): a typo changes one word,
    so keys made of the other words' whole spelling still meet, and one edit never changes
    both ends of a word of six letters or more.
    """
    words = sorted(set(profile.key.split()), key=lambda w: (-len(w), w))[:MAX_WORDS]
    kind = profile.kind[0]
    if len(words) == 1:
        (word,) = words
        return {f"{kind}{word}|", f"{kind}{word[:3]}|^", f"{kind}{word[-3:]}|$"}
    keys = set()
    for i, word in enumerate(words):
        if len(word) < 2:
            continue
        for j, other in enumerate(words):
            if i != j:
                end = 1 if len(other) <= 3 else 2 if len(other) <= 5 else 3
                keys.add(f"{kind}{word}|^{other[:end]}")
                keys.add(f"{kind}{word}|${other[-end:]}")
    return keys


def contact_block_keys(profile: Profile) -> set[str]:
    """Keys for the same e-mail, phone, e-mail local part."""
    keys = {f"e{e}" for e in profile.emails} | {f"t{p}" for p in profile.phones}
    return keys | {f"l{local}" for local in profile.email_locals}


def candidate_pairs(profiles: dict[int, Profile]) -> dict[tuple[int, int], float | None]:
    """Pairs worth scoring, with their name similarity when a name block computed it."""
    name_blocks: defaultdict[str, list[int]] = defaultdict(list)
    contact_blocks: defaultdict[str, list[int]] = defaultdict(list)
    for profile in profiles.values():
        for key in name_block_keys(profile):
            name_blocks[key].append(profile.pk)
        if profile.kind == PartyKind.PERSON:
            for org in profile.organizations:
                name_blocks[f"o{org}"].append(profile.pk)
        for key in contact_block_keys(profile):
            contact_blocks[key].append(profile.pk)
    pairs: dict[tuple[int, int], float | None] = {}
    for members in name_blocks.values():
        if 2 <= len(members) <= MAX_NAME_BLOCK:
            _score_names(members, profiles, pairs)
    for members in contact_blocks.values():
        if 2 <= len(members) <= MAX_CONTACT_BLOCK:
            for a, b in combinations(sorted(members), 2):
                if profiles[a].kind == profiles[b].kind:
                    pairs.setdefault((a, b), None)
    return pairs


def _score_names(
    members: list[int],
    profiles: dict[int, Profile],
    pairs: dict[tuple[int, int], float | None],
) -> None:
    members = sorted(members)
    if len(members) < CDIST_FROM:
        for a, b in combinations(members, 2):
            if (a, b) in pairs:
                continue
            score = fuzz.ratio(profiles[a].key, profiles[b].key, score_cutoff=NAME_FLOOR)
            if score:
                pairs[(a, b)] = score
        return
    keys = [profiles[pk].key for pk in members]
    matrix = process.cdist(
        keys,
        keys,
        scorer=fuzz.ratio,
        score_cutoff=NAME_FLOOR,
        dtype=np.uint8,
        workers=-1 if len(keys) >= PARALLEL_FROM else 1,  # threads cost more than small blocks
    )
    rows, cols = np.nonzero(np.triu(matrix, k=1))
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        pairs[(members[i], members[j])] = float(matrix[i, j])


def find_duplicates(profiles: dict[int, Profile]) -> tuple[list[Match], int]:
    """The pairs scoring at least PROPOSE_AT, best first, and how many pairs were compared."""
    pairs = candidate_pairs(profiles)
    matches = []
    for (a, b), name in pairs.items():
        match = score_pair(profiles[a], profiles[b], name, at_least=PROPOSE_AT)
        if match is not None:
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.a, m.b))
    return matches, len(pairs)


def scan_duplicates(*, now: datetime | None = None) -> ScanResult:
    """Scan every live party and bring the review queue up to date.

    New pairs are added as open; open pairs found again get their new score; open pairs no
    longer found are removed. Pairs already decided (merged, not a duplicate) stay as they
    are and are not proposed again. The caller wraps this in a transaction.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    profiles = load_profiles()
    matches, compared = find_duplicates(profiles)
    created, updated, removed = store_matches(matches, now=now)
    return ScanResult(
        parties=len(profiles),
        compared=compared,
        proposed=len(matches),
        created=created,
        updated=updated,
        removed=removed,
        seconds=round(time.perf_counter() - started, 3),
    )


def store_matches(matches: Iterable[Match], *, now: datetime) -> tuple[int, int, int]:
    """Write the scan's pairs: (created, updated, removed)."""
    existing = {
        (a, b): (pk, status, score, reasons, exact)
        for pk, a, b, status, score, reasons, exact in DuplicateCandidate.objects.values_list(
            "pk", "party_a_id", "party_b_id", "status", "score", "reasons", "is_exact"
        )
    }
    new, changed, seen = [], [], set()
    for m in matches:
        known = existing.get((m.a, m.b))
        if known is None:
            new.append(
                DuplicateCandidate(
                    party_a_id=m.a,
                    party_b_id=m.b,
                    score=m.score,
                    reasons=m.reasons,
                    is_exact=m.is_exact,
                    found_at=now,
                )
            )
            continue
        pk, status, score, reasons, exact = known
        seen.add(pk)
        if status == CandidateStatus.OPEN and (score, reasons, exact) != (
            m.score,
            m.reasons,
            m.is_exact,
        ):
            changed.append(
                DuplicateCandidate(pk=pk, score=m.score, reasons=m.reasons, is_exact=m.is_exact)
            )
    gone = [
        pk
        for pk, status, *_ in existing.values()
        if status == CandidateStatus.OPEN and pk not in seen
    ]
    with transaction.atomic():
        DuplicateCandidate.objects.bulk_create(new, batch_size=BATCH)
        DuplicateCandidate.objects.bulk_update(
            changed, ["score", "reasons", "is_exact"], batch_size=BATCH
        )
        for start in range(0, len(gone), BATCH):
            DuplicateCandidate.objects.filter(pk__in=gone[start : start + BATCH]).delete()
    return len(new), len(changed), len(gone)
