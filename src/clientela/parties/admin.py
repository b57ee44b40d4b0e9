"""The admin's view of parties, and the place where custom fields and tags are defined.

Parties are written only through `parties.services` (pages, API, imports): they normalise
contact points, keep the search text and name key, check access and write the change log. So
the admin shows a party with its contact points, roles, key dates and external-id aliases but
does not edit it; its one action, archiving, calls `archive_party`. The change log is
append-only and read-only, and so are the aliases (a merge makes them, an erasure removes them).
Custom field definitions and tags have no rules beyond their models: they are edited here.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clientela.core.admin import ReadOnlyAdmin
from clientela.core.requests import current_user
from clientela.parties.models import (
    ContactPoint,
    CustomField,
    CustomFieldType,
    KeyDate,
    Party,
    PartyAlias,
    PartyChange,
    PartyRole,
    Tag,
)
from clientela.parties.services import archive_party

_Row = TypeVar("_Row", bound=Model)


class _ShownInline(admin.TabularInline[_Row, Party]):
    """A party's rows of one kind, shown with it; written only through the services."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ContactPointInline(_ShownInline[ContactPoint]):
    model = ContactPoint
    fields = ("kind", "label", "value", "normalized", "is_primary", "locality", "country")
    readonly_fields = fields


class PartyRoleInline(_ShownInline[PartyRole]):
    model = PartyRole
    fields = ("role", "since", "until")
    readonly_fields = fields


class KeyDateInline(_ShownInline[KeyDate]):
    model = KeyDate
    fields = ("kind", "label", "year", "month", "day")
    readonly_fields = fields


class PartyAliasInline(_ShownInline[PartyAlias]):
    model = PartyAlias
    fields = ("external_id",)
    readonly_fields = fields


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin[Party]):
    list_display = ("display_name", "kind", "external_id", "owner", "team", "created_at")
    list_filter = ("kind", "team", "owner", ("archived_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner", "team")
    search_fields = (
        "display_name",
        "given_name",
        "family_name",
        "organization_name",
        "=external_id",
        "contact_points__normalized",
    )
    ordering = ("display_name", "id")
    show_full_result_count = False  # counting every party on each page costs a full scan
    inlines = (ContactPointInline, PartyRoleInline, KeyDateInline, PartyAliasInline)
    fields = (
        "kind",
        "display_name",
        "given_name",
        "family_name",
        "organization_name",
        "external_id",
        "language",
        "timezone",
        "owner",
        "team",
        "parent",
        "organization_level",
        "custom",
        "notes",
        "created_at",
        "created_by",
        "updated_at",
        "archived_at",
    )
    readonly_fields = fields
    actions = ("archive",)

    @admin.action(description=_("Archive the selected parties"))
    def archive(self, request: HttpRequest, parties: QuerySet[Party]) -> None:
        by = current_user(request)
        live = list(parties.filter(archived_at__isnull=True))
        for party in live:
            archive_party(party, by=by)
        self.message_user(
            request,
            ngettext("%(count)d party archived.", "%(count)d parties archived.", len(live))
            % {"count": len(live)},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Party | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Party | None = None) -> bool:
        return False  # erasure goes through the privacy request, which every app takes part in


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin[CustomField]):
    list_display = ("key", "label", "type", "applies_to", "required", "position")
    list_filter = ("type", "applies_to", "required")
    search_fields = ("key", "label")
    ordering = ("position", "key")

    def save_model(self, request: HttpRequest, obj: CustomField, form: Any, change: bool) -> None:
        if obj.type != CustomFieldType.CHOICE:
            obj.choices = []  # only a choice field has choices: others would never show them
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "party_count")
    search_fields = ("name",)
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(party_total=Count("parties"))

    @admin.display(description=_("parties"), ordering="party_total")
    def party_count(self, tag: Any) -> int:
        return int(tag.party_total)


@admin.register(PartyChange)
class PartyChangeAdmin(admin.ModelAdmin[PartyChange]):
    """The change log: append-only, so nothing here adds, changes or deletes a line."""

    list_display = ("at", "party", "action", "actor")
    list_filter = ("action", "at")
    list_select_related = ("party", "actor")
    search_fields = ("party__display_name", "=party__id")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    show_full_result_count = False
    fields = ("party", "action", "actor", "at", "changes")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PartyChange | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PartyChange | None = None) -> bool:
        return False


@admin.register(PartyAlias)
class PartyAliasAdmin(ReadOnlyAdmin):
    """External ids of parties merged into others: made by a merge (dedupe), removed by an
    erasure; imports, the search and the CLI find the survivor by them."""

    list_display = ("external_id", "party")
    list_select_related = ("party",)
    search_fields = ("=external_id", "party__display_name", "=party__id")
    ordering = ("external_id",)
    show_full_result_count = False
