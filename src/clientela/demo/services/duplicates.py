"""The demo's true duplicates: a few customers the company recorded twice, as happens in any
shop (a store sign-up by someone who already buys online, a company keyed in again by a rep).
Each second record shares a phone or an e-mail with the first, under a name written a little
differently, so the duplicate scan proposes exactly these pairs for review."""

from __future__ import annotations

import unicodedata

from clientela.demo.services.population import Population
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyKind, RelationshipRole
from clientela.parties.services import display_name

PAIRS = 7  # people and companies entered twice (one is merged by the manager: recent_work)


def _plain(text: str) -> str:
    """'Inês Conceição' -> 'Ines Conceicao': a name typed on a keyboard without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _typo(text: str) -> str:
    """'Ferreira' -> 'Fereira': one doubled letter typed once, else the last letter dropped."""
    for i in range(1, len(text)):
        if text[i] == text[i - 1]:
            return text[:i] + text[i + 1 :]
    return text[:-1] if len(text) > 4 else text


def _contacts(population: Population, party: Party) -> dict[str, ContactPoint]:
    found: dict[str, ContactPoint] = {}
    for point in population.world.contacts:
        if point.party is party:
            found.setdefault(point.kind, point)
    return found


def _again(population: Population, original: Party, **names: str) -> Party:
    """A second record of `original`: a store sign-up (a prospect) looked after by its team."""
    world = population.world
    copy = Party(
        kind=original.kind, language=original.language, timezone=original.timezone, **names
    )
    copy.display_name = display_name(copy)
    world.parties.append(copy)
    world.markets[id(copy)] = world.market_of(original)
    world.add_role(copy, RelationshipRole.PROSPECT, world.now.date())
    population.assign(copy, owned=False)
    return copy


def add_duplicates(population: Population) -> list[tuple[Party, Party]]:
    """Record a few customers twice; returns the pairs (first record, second)."""
    world, rng = population.world, population.world.rng
    households = [c.party for c in population.customers if not c.b2b]
    businesses = [c.party for c in population.customers if c.b2b and c.party.parent is None]
    pairs: list[tuple[Party, Party]] = []
    for n, party in enumerate(rng.sample(households, min(PAIRS - 1, len(households)))):
        points = _contacts(population, party)
        phone, email = points.get(ContactKind.PHONE), points.get(ContactKind.EMAIL)
        if n % 3 == 0 and phone is not None:  # no accents on the store's keyboard; same mobile
            copy = _again(population, party, given_name=_plain(party.given_name),
                          family_name=_plain(party.family_name))  # fmt: skip
            world.contact(copy, ContactKind.PHONE, phone.value, "mobile")
        elif n % 3 == 1 and email is not None:  # the e-mail in capitals, one family name
            copy = _again(population, party, given_name=party.given_name,
                          family_name=party.family_name.split()[-1])  # fmt: skip
            world.contact(copy, ContactKind.EMAIL, email.value.upper(), "personal")
        elif (kept := phone or email) is not None:  # a typo in the family name
            copy = _again(population, party, given_name=party.given_name,
                          family_name=_typo(party.family_name))  # fmt: skip
            world.contact(copy, kept.kind, kept.value, kept.label)
        else:
            continue
        pairs.append((party, copy))
    if businesses:  # a company keyed in again without its legal form, same switchboard
        party = rng.choice(businesses)
        switchboard = _contacts(population, party).get(ContactKind.PHONE)
        name = party.organization_name
        for suffix in world.market_of(party).company_suffixes:
            name = name.removesuffix(suffix)
        if switchboard is not None and party.kind == PartyKind.ORGANIZATION:
            copy = _again(population, party, organization_name=name)
            world.contact(copy, ContactKind.PHONE, switchboard.value, "switchboard")
            pairs.append((party, copy))
    return pairs
