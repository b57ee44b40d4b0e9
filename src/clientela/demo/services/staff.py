"""The demo company's staff: a team per market plus key accounts, and one user per job."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from clientela.accounts.models import Role, Team, User
from clientela.demo.services.names import MARKETS, Market

DOMAIN = "clientela.local"
KEY_ACCOUNTS = "Key Accounts"


@dataclass
class Staff:
    """The demo company's users, by job."""

    admin: User
    manager: User
    marketing: User
    support: User
    viewer: User
    key_accounts: User
    reps: dict[str, User]  # market code -> sales rep
    teams: dict[str, Team]  # team name -> team
    password: str = field(repr=False, default="")

    def rep(self, market: Market) -> User:
        return self.reps[market.code]

    def team(self, market: Market) -> Team:
        return self.teams[market.team]


USERS = (  # e-mail local part, full name, role, team (or market code for a sales rep)
    ("demo", "Inês Carvalho", Role.ADMIN, None),
    ("manager", "Marco Bellini", Role.MANAGER, None),
    ("sales.pt", "Tiago Ferreira", Role.SALES, "PT"),
    ("sales.es", "Lucía Navarro", Role.SALES, "ES"),
    ("sales.it", "Giulia Conti", Role.SALES, "IT"),
    ("sales.uk", "James Walker", Role.SALES, "GB"),
    ("keyaccounts", "Sofia Almeida", Role.SALES, KEY_ACCOUNTS),
    ("marketing", "Elena Ruiz", Role.MARKETING, None),
    ("support", "Rui Mendes", Role.SUPPORT, "PT"),
    ("viewer", "Olivia Hughes", Role.VIEWER, None),
)


def create_staff(password: str) -> Staff:
    """Teams per market plus key accounts, and one user per job; all share the password."""
    teams = {m.team: Team.objects.create(name=m.team) for m in MARKETS}
    teams[KEY_ACCOUNTS] = Team.objects.create(name=KEY_ACCOUNTS)
    by_code = {m.code: m.team for m in MARKETS}
    digest = make_password(password)  # hashed once: argon2 is slow on purpose
    users: dict[str, User] = {}
    for local, name, role, team in USERS:
        team_name = by_code.get(team or "", team)
        users[local] = User.objects.create(
            email=f"{local}@{DOMAIN}",
            full_name=name,
            role=role,
            team=teams[team_name] if team_name else None,
            password=digest,
        )
    return Staff(
        admin=users["demo"],
        manager=users["manager"],
        marketing=users["marketing"],
        support=users["support"],
        viewer=users["viewer"],
        key_accounts=users["keyaccounts"],
        reps={code: users[f"sales.{code.lower().replace('gb', 'uk')}"] for code in by_code},
        teams=teams,
        password=password,
    )
