"""The admin's view of consent and privacy.

Consent records and their wordings are proof, the suppression list, the contact log, links,
sign-ups and throttling hits are written only by this app's services: all read-only here,
and no address on the suppression list is ever shown (an admin can look one up by typing
it: it is hashed the way the list stores it). Preferences can be edited, through the same
schema and service the API uses. A privacy request is acted on from the privacy queue,
which erases or stops marketing; here only its note can be changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.consent.models import (
    ConsentRecord,
    ConsentWording,
    ContactLog,
    Preferences,
    PreferenceToken,
    PrivacyRequest,
    SignupRequest,
    SuppressedContact,
)
from clientela.consent.schemas import PreferencesIn
from clientela.consent.services import update_preferences
from clientela.consent.services.suppression import SUPPRESSIBLE, suppression_digest
from clientela.core.admin import ReadOnlyAdmin
from clientela.core.validation import field_errors
from clientela.parties.services.identity import normalize_contact


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "party", "purpose", "channel", "status", "legal_basis", "source")
    list_filter = ("purpose", "channel", "status", "legal_basis", "source", "recorded_at")
    search_fields = ("party__display_name", "party__external_id", "=wording__sha256")
    list_select_related = ("party",)
    date_hierarchy = "recorded_at"
    show_full_result_count = False  # the log grows with every send decision


@admin.register(ConsentWording)
class ConsentWordingAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "version", "language", "sha256")
    list_filter = ("language",)
    search_fields = ("version", "=sha256", "text")


class PreferencesForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs' ModelForm generic
    """Checked by the schema the API and the preference centre use."""

    class Meta:
        model = Preferences
        fields = (
            "party",
            "preferred_channel",
            "language",
            "max_per_week",
            "max_per_month",
            "quiet_start",
            "quiet_end",
            "topics",
            "paused_until",
        )

    schema: PreferencesIn

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        values = {name: data.get(name) for name in PreferencesIn.model_fields}
        values = {k: (None if v in ("", []) else v) for k, v in values.items()}
        try:
            self.schema = PreferencesIn.model_validate(values)
        except ValidationError as exc:
            for error in field_errors(exc):
                field = error.field.split(".")[0]
                self.add_error(field if field in self.fields else None, error.text())
        return data


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin[Preferences]):
    form = PreferencesForm
    list_display = ("party", "preferred_channel", "language", "max_per_week", "paused_until")
    list_filter = ("preferred_channel", "language")
    search_fields = ("party__display_name", "party__external_id")
    list_select_related = ("party",)
    raw_id_fields = ("party",)
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("party", "updated_at") if obj is not None else ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Preferences, form: Any, change: bool) -> None:
        """Through the service, as the API would: every field set to what the form shows."""
        saved = update_preferences(obj.party, form.schema, replace=True)
        obj.pk, obj.updated_at = saved.pk, saved.updated_at


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin[PrivacyRequest]):
    list_display = ("id", "party", "kind", "status", "channel", "received_at", "due_at")
    list_filter = ("status", "kind", "channel", "due_at")
    search_fields = ("party__display_name", "party__external_id", "=id")
    list_select_related = ("party",)
    date_hierarchy = "received_at"
    fields = (
        "party",
        "kind",
        "status",
        "channel",
        "received_at",
        "due_at",
        "requested_by",
        "handled_by",
        "completed_at",
        "note",
    )
    readonly_fields = fields[:-1]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # logged from the privacy queue or the API, which check the party

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of a legal request and its answer


@admin.register(SuppressedContact)
class SuppressedContactAdmin(ReadOnlyAdmin):
    hidden = ("value", "digest")
    list_display = ("id", "kind", "reason", "at", "lifted_at")
    list_filter = ("kind", "reason", "at", "lifted_at")
    search_fields = ("=digest",)
    search_help_text = _("Type an e-mail address or phone number: it is looked up by its hash.")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SuppressedContact], search_term: str
    ) -> tuple[QuerySet[SuppressedContact], bool]:
        """Found by the hash of the address typed, never by the address itself."""
        term = search_term.strip()
        if not term:
            return queryset, False
        digests = set()
        for kind in SUPPRESSIBLE:
            try:
                digests.add(suppression_digest(kind, normalize_contact(kind, term)))
            except ValueError:
                continue
        return queryset.filter(digest__in=digests), False


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "party", "purpose", "channel", "reference")
    list_filter = ("purpose", "channel", "at")
    search_fields = ("party__display_name", "reference")
    list_select_related = ("party",)
    date_hierarchy = "at"
    show_full_result_count = False  # one row per message sent


@admin.register(PreferenceToken)
class PreferenceTokenAdmin(ReadOnlyAdmin):
    hidden = ("digest",)
    list_display = ("id", "party", "purpose", "list_purpose", "created_at", "expires_at")
    list_filter = ("purpose", "list_purpose", "expires_at")
    search_fields = ("party__display_name",)
    list_select_related = ("party",)


@admin.register(SignupRequest)
class SignupRequestAdmin(ReadOnlyAdmin):
    hidden = ("email_digest", "token_digest", "ip_digest")
    list_display = ("id", "email", "language", "created_at", "expires_at", "confirmed_at")
    list_filter = ("language", "created_at", "confirmed_at")
    search_fields = ("email", "name")
