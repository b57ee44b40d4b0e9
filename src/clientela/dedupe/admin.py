"""The admin's view of duplicates: read-only.

Pairs are written by the scan and decided on the review pages or through the API, whose
services check access and settle the pair with the merge; a merge record is the audit trail
of a merge. Changing either by hand would bypass those rules, so the admin only shows them.
"""

from __future__ import annotations

from django.contrib import admin

from clientela.core.admin import ReadOnlyAdmin
from clientela.dedupe.models import DuplicateCandidate, MergeRecord


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnlyAdmin):
    list_display = ("id", "party_a", "party_b", "score", "is_exact", "status", "found_at")
    list_filter = ("status", "is_exact", "found_at")
    search_fields = ("party_a__display_name", "party_b__display_name")
    list_select_related = ("party_a", "party_b")
    date_hierarchy = "found_at"


@admin.register(MergeRecord)
class MergeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "survivor", "merged_party_id", "merged_name", "by")
    list_filter = ("at",)
    search_fields = ("merged_name", "survivor__display_name", "=merged_party_id")
    list_select_related = ("survivor", "by")
    date_hierarchy = "at"
