"""Teams: created, renamed and deleted by admins; a team still in use is not deleted."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Invitation, Right, Team, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.rights import require_right
from clientela.core.errors import Conflict, NotFound, invalid
from clientela.core.ids import is_id

NAME_LENGTH = 100


def list_teams() -> QuerySet[Team]:
    """Every team with its members (prefetched) and their number, by name."""
    return Team.objects.annotate(member_count=Count("members")).prefetch_related("members")


def find_team(team_id: int | None = None, *, name: str | None = None) -> Team:
    """The team with this id (or name, in any case), or NotFound."""
    teams = Team.objects.all()
    if team_id is not None and not is_id(team_id):
        team_id = 0  # no row has it; the answer is NotFound
    found = (
        teams.filter(pk=team_id).first()
        if team_id is not None
        else teams.filter(name__iexact=(name or "").strip()).first()
    )
    if found is None:
        raise NotFound(
            _("no team %(team)s"),
            code="team_not_found",
            params={"team": team_id if team_id is not None else name},
        )
    return found


def _clean_name(name: str, *, other_than: Team | None = None) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise invalid("name", name, _("is required"), code="team_name_required")
    if len(cleaned) > NAME_LENGTH:
        raise invalid(
            "name",
            name,
            _("must be at most %(max)s characters"),
            code="team_name_too_long",
            max=NAME_LENGTH,
        )
    taken = Team.objects.filter(name__iexact=cleaned)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise invalid("name", name, _("is the name of another team"), code="team_name_taken")
    return cleaned


def create_team(name: str, *, by: User) -> Team:
    """A new team (admins only); audited as team.created."""
    require_right(by, Right.ADMINISTER)
    team = Team.objects.create(name=_clean_name(name))
    record_audit(
        by, "team.created", target_kind="team", target_id=team.pk, details={"name": team.name}
    )
    return team


def rename_team(team: Team, name: str, *, by: User) -> Team:
    """Give the team another name (admins only); audited as team.renamed."""
    require_right(by, Right.ADMINISTER)
    cleaned = _clean_name(name, other_than=team)
    if cleaned == team.name:
        return team
    before, team.name = team.name, cleaned
    team.save(update_fields=["name"])
    details = {"name_before": before, "name": cleaned}
    record_audit(by, "team.renamed", target_kind="team", target_id=team.pk, details=details)
    return team


def team_uses(team: Team) -> dict[str, int]:
    """How many rows of each kind point at the team (users, parties…), by the model's name;
    read through the foreign keys so that the floors above need not be named here."""
    uses: dict[str, int] = {}
    for relation in team._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or relation.many_to_many or model is Invitation:
            continue  # an open invitation loses its team instead (SET_NULL)
        count = model._default_manager.filter(**{relation.field.name: team}).count()
        if count:
            uses[str(model._meta.verbose_name_plural)] = count
    return uses


def delete_team(team: Team, *, by: User) -> None:
    """Delete a team nobody uses (admins only); Conflict names what still uses it."""
    require_right(by, Right.ADMINISTER)
    uses = team_uses(team)
    if uses:
        raise Conflict(
            _("team %(name)s is still used (%(uses)s); move them to another team first"),
            code="team_in_use",
            params={
                "name": team.name,
                "uses": ", ".join(f"{n} {kind}" for kind, n in uses.items()),
            },
        )
    details = {"name": team.name}
    record_audit(by, "team.deleted", target_kind="team", target_id=team.pk, details=details)
    team.delete()
