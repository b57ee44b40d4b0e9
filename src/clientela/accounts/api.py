"""REST routes for the company's settings (anyone signed in reads them, admins change them),
users and invitations, teams, API tokens, and the audit log."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from clientela.accounts.models import ApiToken, Invitation, Right, Team, User
from clientela.accounts.presenters import describe
from clientela.accounts.schemas import (
    AuditPage,
    CompanyOut,
    CompanyUpdate,
    InvitationIn,
    InvitationOut,
    NewTokenOut,
    TeamIn,
    TeamOut,
    TokenIn,
    TokenOut,
    UserOut,
    UserUpdate,
)
from clientela.accounts.services import (
    audit_entries,
    change_role,
    change_team,
    company_settings,
    create_team,
    create_token,
    delete_team,
    find_team,
    invite_user,
    list_teams,
    remove_company_logo,
    rename_team,
    require_right,
    revoke_token,
    send_reset_link,
    set_company_logo,
    set_user_active,
    update_company,
    visible_tokens,
)
from clientela.accounts.services.links import invitation_link, reset_link
from clientela.accounts.services.logo import MAX_BYTES
from clientela.core.errors import NotFound
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import newest_first_page
from clientela.core.requests import current_user

router = Router(tags=["company"])


@router.get("", response=CompanyOut, summary="The company's settings")
def show(request: HttpRequest) -> dict[str, Any]:
    """Country (the default phone region), time zone (what times without an offset mean),
    reporting currency ("" while analytics infers it), language, postal address (the footer of
    every public page) and the logo's address (`logo_url`, null when there is none)."""
    return company_settings().as_dict()


@router.patch(
    "", response=CompanyOut, summary="Change the company's settings", openapi_extra=problems(403)
)
def change(request: HttpRequest, payload: CompanyUpdate) -> dict[str, Any]:
    """Only the fields sent change; "" unsets a field. Admins only."""
    with transaction.atomic():
        changed = update_company(by=current_user(request), **payload.model_dump(exclude_unset=True))
    return changed.as_dict()


# --- users, invitations, teams, API tokens and the audit log (admins; tokens: everyone) -------

users_router = Router(tags=["users"])
teams_router = Router(tags=["teams"])
tokens_router = Router(tags=["tokens"])
audit_router = Router(tags=["audit"])


def user_out(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "team_id": user.team_id,
        "team": user.team.name if user.team else "",
        "is_active": user.is_active,
        "last_login": user.last_login,
        "date_joined": user.date_joined,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "email": token.user.email,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _user(by: User, user_id: int) -> User:
    require_right(by, Right.ADMINISTER)
    found = User.objects.select_related("team").filter(pk=user_id).first()
    if found is None:
        raise NotFound(
            gettext_lazy("no user with id %(id)s"), code="user_id_not_found", params={"id": user_id}
        )
    return found


@users_router.get(
    "", response=list[UserOut], summary="List staff users", openapi_extra=problems(403)
)
def list_users(request: HttpRequest) -> list[dict[str, Any]]:
    """Every user with role, team, status and last sign-in (admins only)."""
    require_right(current_user(request), Right.ADMINISTER)
    return [user_out(u) for u in User.objects.select_related("team").order_by("email")]


@users_router.post(
    "/invitations",
    response={201: InvitationOut},
    summary="Invite someone by e-mail",
    openapi_extra=problems(403, 404, 409, 503),
)
def invite(request: HttpRequest, payload: InvitationIn) -> Status[dict[str, Any]]:
    """Mails a link that works once, for CLIENTELA_INVITE_DAYS days; the invitee chooses their
    name and password there (admins only)."""
    by = current_user(request)
    require_right(by, Right.ADMINISTER)
    with transaction.atomic():
        team = find_team(payload.team_id) if payload.team_id is not None else None
        invitation = invite_user(
            payload.email, role=payload.role, team=team, by=by, link_for=invitation_link(request)
        )
    return Status(201, invitation_out(invitation))


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "team": invitation.team.name if invitation.team else "",
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
    }


@users_router.patch(
    "/{user_id}",
    response=UserOut,
    summary="Change a user's role, team or status",
    openapi_extra=problems(403, 404, 409),
)
def change_user(request: HttpRequest, user_id: Id, payload: UserUpdate) -> dict[str, Any]:
    """Only the fields sent change; `team_id: null` takes the user out of their team. The last
    active admin stays an active admin, and nobody demotes or disables themself."""
    by = current_user(request)
    sent = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        user = _user(by, user_id)
        if sent.get("role") is not None:
            change_role(user, sent["role"], by=by)
        if "team_id" in sent:
            team = find_team(sent["team_id"]) if sent["team_id"] is not None else None
            change_team(user, team, by=by)
        if sent.get("is_active") is not None:
            set_user_active(user, active=sent["is_active"], by=by)
    return user_out(user)


@users_router.post(
    "/{user_id}/password-reset",
    response={202: None},
    summary="Mail a user a link to choose a new password",
    openapi_extra=problems(403, 404, 503),
)
def mail_reset_link(request: HttpRequest, user_id: Id) -> Status[None]:
    by = current_user(request)
    with transaction.atomic():
        send_reset_link(_user(by, user_id), link_for=reset_link(request), by=by)
    return Status(202, None)


def team_out(team: Team, reader: User) -> dict[str, Any]:
    """The team; its members' e-mails only for a reader who administers users."""
    members = team.members.all()
    emails = [m.email for m in members] if reader.may(Right.ADMINISTER) else None
    return {"id": team.pk, "name": team.name, "member_count": len(members), "members": emails}


@teams_router.get("", response=list[TeamOut], summary="List teams with their members")
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    """Every team and its number of members; their e-mails for admins only."""
    reader = current_user(request)
    return [team_out(t, reader) for t in list_teams()]


@teams_router.post(
    "", response={201: TeamOut}, summary="Create a team", openapi_extra=problems(403)
)
def new_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, Any]]:
    by = current_user(request)
    with transaction.atomic():
        team = create_team(payload.name, by=by)
    return Status(201, team_out(team, by))


@teams_router.patch(
    "/{team_id}", response=TeamOut, summary="Rename a team", openapi_extra=problems(403, 404)
)
def rename(request: HttpRequest, team_id: Id, payload: TeamIn) -> dict[str, Any]:
    by = current_user(request)
    require_right(by, Right.ADMINISTER)
    with transaction.atomic():
        team = rename_team(find_team(team_id), payload.name, by=by)
    return team_out(team, by)


@teams_router.delete(
    "/{team_id}",
    response={204: None},
    summary="Delete a team nobody uses",
    openapi_extra=problems(403, 404, 409),
)
def remove_team(request: HttpRequest, team_id: Id) -> Status[None]:
    by = current_user(request)
    require_right(by, Right.ADMINISTER)
    with transaction.atomic():
        delete_team(find_team(team_id), by=by)
    return Status(204, None)


@tokens_router.get("", response=list[TokenOut], summary="List API tokens")
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    """Your own tokens; an admin's answer holds everyone's."""
    return [token_out(t) for t in visible_tokens(current_user(request))]


@tokens_router.post(
    "",
    response={201: NewTokenOut},
    summary="Create an API token for yourself",
    openapi_extra=problems(403),
)
def new_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """The token's value is in this answer only; store it now."""
    user = current_user(request)
    with transaction.atomic():
        token, raw = create_token(user, name=payload.name, by=user)
    return Status(201, {**token_out(token), "token": raw})


@tokens_router.delete(
    "/{token_id}",
    response={204: None},
    summary="Revoke an API token",
    openapi_extra=problems(403, 404),
)
def revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    """Your own; an admin may revoke anyone's. It stops working at once."""
    user = current_user(request)
    with transaction.atomic():
        revoke_token(user, token_id, by=user)
    return Status(204, None)


class AuditFilters(Schema):
    action: str = Field(default="", max_length=60, description='a code, or a prefix ending in "."')
    actor_id: Id | None = None
    target_kind: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=64)
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


@audit_router.get(
    "", response=AuditPage, summary="Read the audit log, newest first", openapi_extra=problems(403)
)
def audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    """Admins and managers. Each entry's `text` says it in the reader's language."""
    entries = audit_entries(
        current_user(request),
        action=filters.action or None,
        actor=filters.actor_id,
        target_kind=filters.target_kind or None,
        target_id=filters.target_id or None,
    )
    page = newest_first_page(entries, at="at", cursor=filters.cursor, limit=filters.limit)
    items = [
        {
            "id": shown.entry.pk,
            "at": shown.entry.at,
            "actor_id": shown.entry.actor_id,
            "actor_email": shown.entry.actor_email,
            "action": shown.entry.action,
            "text": shown.text,
            "target_kind": shown.entry.target_kind,
            "target_id": shown.entry.target_id,
            "details": shown.entry.details,
        }
        for shown in map(describe, page["items"])
    ]
    return {"items": items, "next_cursor": page["next_cursor"]}


@router.post(
    "/logo",
    response=CompanyOut,
    summary="Set the company's logo",
    openapi_extra=problems(403, 422),
)
def put_logo(request: HttpRequest, logo: File[UploadedFile]) -> dict[str, Any]:
    """A PNG, JPEG, WebP or GIF sent as the multipart field `logo`, at most 512 KB and 4096
    pixels a side, checked by its content. Admins only."""
    data = logo.read(MAX_BYTES + 1)
    with transaction.atomic():
        changed = set_company_logo(by=current_user(request), data=data)
    return changed.as_dict()


@router.delete(
    "/logo", response=CompanyOut, summary="Remove the company's logo", openapi_extra=problems(403)
)
def delete_logo(request: HttpRequest) -> dict[str, Any]:
    """Public pages show the company's name alone again. Admins only."""
    with transaction.atomic():
        changed = remove_company_logo(by=current_user(request))
    return changed.as_dict()
