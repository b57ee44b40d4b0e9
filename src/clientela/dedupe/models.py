"""Likely duplicate pairs found by the scan, the decisions on them, and the merges made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.parties.models import Party


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")


class DuplicateCandidate(models.Model):
    """Two parties that may be one; party_a has the lower id, so each pair is stored once."""

    party_a = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    party_b = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    # [{"code": "similar_name", "score": 92}, {"code": "same_phone"}, …]; see docs/identity.md.
    reasons = models.JSONField(_("reasons"), default=list)
    is_exact = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=14, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        indexes = [
            models.Index(fields=["status", "-score", "-id"]),
            models.Index(fields=["party_b", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["party_a", "party_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(party_a__lt=F("party_b")), name="duplicate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CandidateStatus.values), name="duplicate_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_a_id} ~ {self.party_b_id} ({self.score})"


class MergeRecord(models.Model):
    """One merge: who merged which party into which, the choices made, and the merged
    party's whole record as it was, so that nothing is lost and the merge can be audited.

    The snapshot also holds what an unmerge needs (dedupe.services.unmerges): the survivor's
    fields and own rows before the merge, its fields after it, and the ids of the rows the
    merge dropped as doubles. An unmerge sets `unmerged_at`; the record stays, for history."""

    survivor = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="merge_records")
    # The merged party stays archived under this id; a plain id, so the record outlives it.
    merged_party_id = models.BigIntegerField(db_index=True)
    merged_name = models.CharField(max_length=250)
    snapshot = models.JSONField()
    choices = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    unmerged_at = models.DateTimeField(_("unmerged at"), null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["survivor", "-at", "-id"])]

    def __str__(self) -> str:
        return f"{self.merged_party_id} -> {self.survivor_id}"
