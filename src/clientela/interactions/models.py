"""The timeline's interactions: every contact on every channel, append-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.parties.models import Party


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    TOLL_FREE = "toll_free", _("Toll-free line")
    SMS = "sms", _("SMS")
    CHAT = "chat", _("Chat")
    WEB_FORM = "web_form", _("Web form")
    SOCIAL = "social", _("Social")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    EVENT = "event", _("Event")
    FOCUS_GROUP = "focus_group", _("Focus group")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an entry of an append-only log."""


class InteractionQuerySet(models.QuerySet["Interaction"]):
    """Refuses bulk changes too: the timeline is only ever appended to."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("interactions are append-only: record a correction instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("interactions are append-only: record a correction instead")

    def erase_text(self, **blank: Any) -> int:
        """Blank personal text in place: used by erasure only (GDPR art. 17), never to edit."""
        return super().update(**blank)


class Interaction(models.Model):
    """One contact with a party; corrections are new entries pointing at what they correct."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["party", "-occurred_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("interactions are append-only: record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("interactions are append-only: record a correction instead")


class Attachment(models.Model):
    """A file sent with an interaction, kept under CLIENTELA_HOME by a random name.

    `name` is the name it was uploaded with, for display and download only; the file on disk is
    `stored_name` (random hex), never derived from what the uploader sent. `content_type` is
    what the first bytes say the file is (services.attachments.sniff), not its extension.
    """

    interaction = models.ForeignKey(
        Interaction, on_delete=models.PROTECT, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
