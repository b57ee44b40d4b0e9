"""What the demo's staff did in their first weeks, done through the features' services so that
the app shows it on first sign-in as it would after real use: each sales rep's saved view of
the list, a merge of one customer recorded twice (still undoable for 30 days), and in the
audit log an admin's invitations (one accepted, the new hire then promoted, one pending), an
API token and an export."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.test.utils import override_settings

from clientela.accounts.models import Role, Team, User
from clientela.accounts.services import (
    accept_invitation,
    change_role,
    create_token,
    invite_user,
)
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services import merge_candidate
from clientela.demo.services.staff import DOMAIN
from clientela.segments.models import Sharing
from clientela.segments.schemas import BulkAction, BulkIn, SavedViewCreate
from clientela.segments.services.bulk_actions import run_bulk_action
from clientela.segments.services.saved_views import create_saved_view

NEW_HIRE = (f"nuno.silva@{DOMAIN}", "Nuno Silva")
PENDING = f"ana.lopes@{DOMAIN}"
REP_VIEW = "My customers at risk, by value"
# Invitations go to invented addresses: the demo records them and sends nothing, whatever
# mail server CLIENTELA_EMAIL_URL names (and prints no mail on the console).
NO_MAIL = "django.core.mail.backends.dummy.EmailBackend"


@dataclass(frozen=True)
class RecentWork:
    """What was done, for the tour."""

    saved_views: int
    merge: MergeRecord | None


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}@{DOMAIN}")


def add_saved_views() -> int:
    """Each sales rep's own view: their customers at risk, most valuable first."""
    reps = User.objects.filter(role=Role.SALES).order_by("email")
    for rep in reps:
        create_saved_view(
            SavedViewCreate(
                name=REP_VIEW,
                sharing=Sharing.PRIVATE,
                filters={"owner": str(rep.pk), "lifecycle": "at_risk"},
                columns=["name", "team", "lifecycle", "clv", "p_alive", "last_order"],
                sort="-clv",
            ),
            by=rep,
        )
    return len(reps)


def add_merge() -> MergeRecord | None:
    """The manager merges the first pair of the duplicate queue, keeping the customer."""
    pair = (
        DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN)
        .select_related("party_a", "party_b")
        .order_by("pk")
        .first()
    )
    if pair is None:
        return None
    survivor = pair.party_a if pair.party_a.roles.filter(role="customer").exists() else pair.party_b
    return merge_candidate(pair, survivor_id=survivor.pk, by=_user("manager"))


def add_administration() -> None:
    """The admin's first weeks in the audit log: invitations, a promotion, a token, an export."""
    admin, marketing = _user("demo"), _user("marketing")
    portugal = Team.objects.filter(members__email=f"sales.pt@{DOMAIN}").first()
    links: list[str] = []

    def keep(raw: str) -> str:
        links.append(raw)
        return f"/invitation/{raw}/"

    with override_settings(EMAIL_BACKEND=NO_MAIL):
        invite_user(NEW_HIRE[0], role=Role.VIEWER, team=portugal, by=admin, link_for=keep)
        invite_user(PENDING, role=Role.MARKETING, team=None, by=admin, link_for=keep)
    # The new hire shadowed the Portugal team, then joined it as a sales rep.
    hire = accept_invitation(links[0], full_name=NEW_HIRE[1], password=secrets.token_urlsafe(24))
    change_role(hire, Role.SALES, by=admin)
    create_token(marketing, name="Newsletter sync", by=marketing)
    run_bulk_action(BulkIn(action=BulkAction.EXPORT, filter={"tag": "vip"}), by=marketing)


def add_recent_work() -> RecentWork:
    """All of the above; after the duplicate scan and the metrics (the views sort by value)."""
    add_administration()
    views = add_saved_views()
    merge = add_merge()
    return RecentWork(saved_views=views, merge=merge)
