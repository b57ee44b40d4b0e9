"""The admin's view of staff accounts: users, teams, API tokens and throttling hits.

Only active admins reach the admin (`User.is_staff`). Users and teams are read-only here, each
with a link to its settings page: changes go through the services there, which keep the
guards (the last admin, nobody changing their own role) and write the audit log. The password
is never shown. API tokens are shown without their digest and can only be revoked
(`revoke_token`, audited); throttling hits are a short-lived record, shown read-only and
deleted to lift a throttle early.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.accounts.models import ApiToken, Team, ThrottleHit, User
from clientela.accounts.services import revoke_token
from clientela.core.admin import ReadOnlyAdmin
from clientela.core.requests import current_user


class SettingsPageAdmin(ReadOnlyAdmin):
    """Rows changed only on the settings pages, through the services that keep the guards
    (the last admin, nobody changing their own role) and write the audit log: here they are
    shown, each with a link to its page."""

    settings_url = ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "on_the_settings_pages"]

    @admin.display(description=_("change"))
    def on_the_settings_pages(self, obj: Any) -> str:
        return format_html('<a href="{}">{}</a>', self.url_of(obj), _("on the settings pages"))

    def url_of(self, obj: Any) -> str:
        return reverse(self.settings_url)


@admin.register(User)
class UserAdmin(SettingsPageAdmin):
    """Users as a list; invited, changed and disabled on the users page (/settings/users/)."""

    hidden = ("password",)
    list_display = (
        "email", "full_name", "role", "team", "is_active", "last_login", "on_the_settings_pages",
    )  # fmt: skip
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team",)
    search_fields = ("email", "full_name")
    ordering = ("email",)

    def url_of(self, obj: Any) -> str:
        return reverse("accounts:user", args=[obj.pk])


@admin.register(Team)
class TeamAdmin(SettingsPageAdmin):
    """Teams as a list; created, renamed and deleted on the teams page (/settings/teams/)."""

    settings_url = "accounts:teams"
    list_display = ("name", "member_count", "created_at", "on_the_settings_pages")
    search_fields = ("name",)
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        teams: QuerySet[Team] = super().get_queryset(request)
        return teams.annotate(member_total=Count("members"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, team: Any) -> int:
        return int(team.member_total)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens as a list of who has one and when it was used; the digest is never shown."""

    list_display = ("shown_prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("user",)
    search_fields = ("user__email", "name", "=prefix")
    ordering = ("-created_at", "-id")
    fields = ("user", "name", "shown_prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description=_("prefix"), ordering="prefix")
    def shown_prefix(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, tokens: QuerySet[ApiToken]) -> None:
        by = current_user(request)
        ids = list(tokens.filter(revoked_at__isnull=True).values_list("pk", flat=True))
        for token_id in ids:
            revoke_token(by, token_id, by=by)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(ids))
            % {"count": len(ids)},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is shown once when it is made: `clientela token create`

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # revoked, not deleted: its use stays on record


@admin.register(ThrottleHit)
class ThrottleHitAdmin(admin.ModelAdmin[ThrottleHit]):
    """Recent counted attempts per door, keyed by a hash of the e-mail or address; kept a day.

    Deleting them lifts a throttle early (someone locked out by a colleague's typing).
    """

    list_display = ("at", "door", "key")
    list_filter = ("door", "at")
    search_fields = ("=key",)
    ordering = ("-at",)
    fields = ("door", "key", "at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ThrottleHit | None = None) -> bool:
        return False
