"""The admin's view of staff accounts: users, teams, API tokens and throttling hits.

Only active admins reach the admin (`User.is_staff`). A user's role, team and status are
edited here; the password is never shown, only the hasher's masked summary, and is set through
Django's password form, which applies the same validators as `clientela user create`. API
tokens are shown without their digest and can only be revoked (`revoke_token`); throttling
hits are a short-lived record, shown read-only and deleted to lift a throttle early.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.accounts.models import ApiToken, Team, ThrottleHit, User
from clientela.accounts.services import revoke_token
from clientela.core.requests import current_user


class UserCreateForm(BaseUserCreationForm[User]):
    """A new user: e-mail (stored lower-case, as `create_user` does), role, team, password."""

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "team")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class UserEditForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "team", "language", "time_zone", "is_active")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


@admin.register(User)
# The stubs bind UserAdmin to AbstractUser; ours is an AbstractBaseUser, and the fieldsets
# here name only fields it has.
class UserAdmin(DjangoUserAdmin[User]):  # type: ignore[type-var]  # see the comment above
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "full_name", "role", "team", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team",)
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language", "time_zone")}),
        (_("Access"), {"fields": ("role", "team", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "team", "password1", "password2"),
            },
        ),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "member_count", "created_at")
    search_fields = ("name",)
    ordering = ("name",)
    readonly_fields = ("created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

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
