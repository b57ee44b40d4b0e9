"""Saved audiences: rule-based segments (members computed on demand) and static lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team
from clientela.parties.models import Party


class SegmentKind(models.TextChoices):
    RULES = "rules", _("Rules")
    STATIC = "static", _("Static list")


class Segment(models.Model):
    """A named audience: the parties matching its rules, or the parties put on its list."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.RULES
    )
    # The checked rule tree (segments.rules); {"all": []} for a static list.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SegmentKind.values), name="segment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_static(self) -> bool:
        return self.kind == SegmentKind.STATIC


class StaticMember(models.Model):
    """A party put on a static list, by whom and when."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="static_members")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="static_segments")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "party"], name="static_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}: {self.party_id}"


class Sharing(models.TextChoices):
    PRIVATE = "private", _("Only me")
    TEAM = "team", _("My team")
    EVERYONE = "everyone", _("Everyone")


class SavedView(models.Model):
    """A named way of looking at the party list: its filters, columns and sort, kept for its
    owner alone, for the owner's team, or for everyone (shared by managers and admins)."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    sharing = models.CharField(
        _("shared with"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    # The team it is shared with: the owner's team when it was shared.
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="saved_views",
    )
    # The list's URL parameters, checked (segments.services.listing): filters, columns, sort.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["sharing", "team"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing__in=Sharing.values), name="saved_view_sharing_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
