"""How alike two parties are: a score from 0 to 100 and the reasons for it.

Pure functions over plain values (no database), so the scan, the tests and the benchmark
share them. The weights are explained in docs/identity.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz

from clientela.parties.services.identity import name_tokens

# Points each piece of shared evidence adds to 0.7 x the name similarity.
NAME_WEIGHT = 0.7
POINTS = {
    "same_email": 35,
    "same_phone": 35,
    "same_email_local": 15,
    "same_organization": 15,
    "same_city": 8,
    "same_email_domain": 6,
    "same_birthday": 15,
}
DIFFERENT_BIRTHDAY = -30
PROPOSE_AT = 80  # pairs scoring below this are not proposed
EXACT_NAME_AT = 85  # same e-mail or phone *and* a name at least this similar: "exact"
SWAP_GAIN = 10  # sorted names this much closer than the names as written: swapped

# Mailbox providers: sharing one says nothing about being the same person.
FREE_MAIL = frozenset(
    "gmail.com googlemail.com hotmail.com hotmail.co.uk hotmail.fr hotmail.it hotmail.es "
    "outlook.com outlook.pt outlook.es outlook.it live.com msn.com yahoo.com yahoo.co.uk "
    "yahoo.fr yahoo.es yahoo.it yahoo.com.br icloud.com me.com mac.com aol.com gmx.com gmx.de "
    "gmx.net web.de proton.me protonmail.com mail.com mail.ru yandex.ru yandex.com sapo.pt "
    "libero.it virgilio.it tiscali.it orange.fr free.fr wanadoo.fr laposte.net t-online.de "
    "uol.com.br bol.com.br terra.com.br telefonica.net zoho.com fastmail.com".split()
)
# Shared mailboxes: a local part that names a function, not a person.
ROLE_MAILBOXES = frozenset(
    "info contact contacto contato hello hola ola ciao sales vendas ventas admin office mail "
    "support suporte soporte team noreply no-reply enquiries geral general billing accounts "
    "marketing reception".split()
)


@dataclass
class Profile:
    """What the scan knows of one party, in normal forms."""

    pk: int
    kind: str
    key: str  # the name's words sorted (identity.name_key)
    given_name: str = ""
    family_name: str = ""
    organization_name: str = ""
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    email_locals: set[str] = field(default_factory=set)
    email_domains: set[str] = field(default_factory=set)
    organizations: set[str] = field(default_factory=set)  # name keys of organizations
    cities: set[str] = field(default_factory=set)
    birthday: tuple[int | None, int, int] | None = None

    def add_email(self, email: str) -> None:
        """Record an e-mail, with its local part and domain when they may identify someone."""
        self.emails.add(email)
        local, _, domain = email.rpartition("@")
        local = local.partition("+")[0]  # maria+shop@ is maria@
        if len(local) >= 4 and local not in ROLE_MAILBOXES:
            self.email_locals.add(local)
        if domain not in FREE_MAIL:
            self.email_domains.add(domain)

    @cached_property
    def written(self) -> str:
        """The name's folded words in the order written."""
        words = name_tokens(self.kind, self.given_name, self.family_name, self.organization_name)
        return " ".join(words)


@dataclass(frozen=True)
class Match:
    """A scored pair: a.pk < b.pk."""

    a: int
    b: int
    score: int
    reasons: list[dict[str, Any]]
    is_exact: bool


def name_similarity(a: Profile, b: Profile) -> float:
    """0-100: how alike the names are, word order ignored (so swapped names score high)."""
    return float(fuzz.ratio(a.key, b.key))


def score_pair(
    a: Profile, b: Profile, name: float | None = None, *, at_least: int = 0
) -> Match | None:
    """Score two parties of the same kind; `name` is their name similarity if known.

    None when the score is below `at_least` (the scan asks for PROPOSE_AT, and skips
    writing reasons for the many pairs that do not make it).
    """
    if a.pk > b.pk:
        a, b = b, a
    if name is None:
        name = name_similarity(a, b)
    same_email = not a.emails.isdisjoint(b.emails)
    shared = {
        "same_email": same_email,
        "same_phone": not a.phones.isdisjoint(b.phones),
        "same_email_local": not same_email and not a.email_locals.isdisjoint(b.email_locals),
        "same_organization": not a.organizations.isdisjoint(b.organizations),
        "same_city": not a.cities.isdisjoint(b.cities),
        "same_email_domain": not same_email and not a.email_domains.isdisjoint(b.email_domains),
        "same_birthday": False,
    }
    points = sum(POINTS[code] for code, yes in shared.items() if yes)
    different_birthday = False
    if a.birthday and b.birthday:
        shared["same_birthday"] = _same_day(a.birthday, b.birthday)
        different_birthday = not shared["same_birthday"]
        points += POINTS["same_birthday"] if shared["same_birthday"] else DIFFERENT_BIRTHDAY
    score = max(0, min(100, round(NAME_WEIGHT * name + points)))
    if score < at_least:
        return None
    reasons: list[dict[str, Any]] = [
        {"code": "same_name" if a.key == b.key else "similar_name", "score": round(name)}
    ]
    if a.written != b.written and fuzz.ratio(a.written, b.written) + SWAP_GAIN <= name:
        reasons.append({"code": "swapped_names"})
    reasons += [{"code": code} for code in POINTS if shared.get(code)]
    if different_birthday:
        reasons.append({"code": "different_birthday"})
    is_exact = (shared["same_email"] or shared["same_phone"]) and name >= EXACT_NAME_AT
    return Match(a.pk, b.pk, score, reasons, is_exact)


def _same_day(a: tuple[int | None, int, int], b: tuple[int | None, int, int]) -> bool:
    """Same month and day, and the same year when both years are known."""
    return a[1:] == b[1:] and (a[0] is None or b[0] is None or a[0] == b[0])
