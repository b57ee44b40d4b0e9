"""Messaging: the templates staff write for each channel, their language variants, and the
outbox, one row per message before it leaves (what was sent, to whom, and how it ended)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import Purpose
from clientela.parties.models import Party


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone call")


class Template(models.Model):
    """A message written once for one channel and purpose, in one or more languages.

    `default_language` (a BCP 47 tag) names the variant used when none fits the customer's
    language. Archived templates stay for the messages that used them.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    default_language = models.CharField(_("default language"), max_length=35)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("template")
        verbose_name_plural = _("templates")

    def __str__(self) -> str:
        return self.name


class TemplateVariant(models.Model):
    """One language of a template: its subject (e-mail), body and plain-text part (Liquid).

    `language` is a BCP 47 tag (`pt-BR`, `pt`, `en`). For e-mail `body` is HTML and `text_body`
    the plain-text part (generated from the HTML when empty); for SMS, letters and call scripts
    `body` is the whole text.
    """

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(_("language"), max_length=35)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    body = models.TextField(_("body"))
    text_body = models.TextField(_("plain-text part"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["template", "language"]
        verbose_name = _("template variant")
        verbose_name_plural = _("template variants")
        constraints = [
            models.UniqueConstraint(fields=["template", "language"], name="variant_one_language")
        ]

    def __str__(self) -> str:
        return f"{self.template_id} {self.language}"


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    LEASED = "leased", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    MISSED = "missed", _("Missed its deadline")
    HELD_OUT = "held_out", _("Held out")
    CANCELLED = "cancelled", _("Cancelled")
    DELIVERED = "delivered", _("Delivered")
    BOUNCED = "bounced", _("Bounced")
    COMPLAINED = "complained", _("Complaint")


class SourceKind(models.TextChoices):
    """What a message was sent for; its id is in `source_id`."""

    STAFF = "staff", _("Written by staff")
    CAMPAIGN = "campaign", _("A campaign")
    JOURNEY = "journey", _("A journey step")
    OCCASION = "occasion", _("A date occasion")
    SURVEY = "survey", _("A survey")
    SYSTEM = "system", _("Clientela itself")


class Message(models.Model):
    """One message to one party on one channel: the outbox row, written before it leaves.

    At most one row per (source, party, channel) when the source has an id, so a source that
    runs twice queues nobody twice. `token` identifies the message in return paths, receipts and
    links. The rendered `subject`, `body_html` and `body_text` and the `address` are what was
    sent, kept for the timeline.
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    language = models.CharField(_("language"), max_length=35, blank=True)
    token = models.CharField(max_length=32, unique=True)
    state = models.CharField(
        _("state"), max_length=12, choices=MessageState.choices, default=MessageState.QUEUED
    )
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    body_text = models.TextField(_("text"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    not_after = models.DateTimeField(_("deadline"), null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=200, blank=True)
    # When the provider's latest delivery receipt says it happened (SMS): an older receipt
    # arriving later changes nothing.
    receipt_at = models.DateTimeField(_("delivery reported"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_id", "party", "channel"],
                condition=Q(source_id__isnull=False),
                name="message_once_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["state", "not_before"]),
            models.Index(fields=["party", "-queued_at"]),
            models.Index(fields=["source_kind", "source_id", "state"]),
            # Delivery receipts find their message by the provider's id.
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.party_id} ({self.state})"


class ReportKind(models.TextChoices):
    """What a returned e-mail says happened to a message."""

    HARD = "hard", _("Hard bounce")
    SOFT = "soft", _("Soft bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    DELAY = "delay", _("Delivery delayed")
    DELIVERED = "delivered", _("Delivered")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    UNKNOWN = "unknown", _("Not a report")


class DeliveryReport(models.Model):
    """A bounce, complaint or delivery report read from the bounce mailbox: the proof kept.

    `digest` is the SHA-256 of the whole report as received (line endings made LF), so the
    same mail read twice is recognised and the original, kept in the mailbox or the mbox file,
    can be shown to be the one acted on. The key fields and `evidence` (the machine-readable
    part, or the failure paragraph of a plain-text bounce, at most 4,000 characters) say why
    without keeping the whole returned message, which quotes our mail and other people's
    headers. `effects` lists what ingesting it changed (`message_bounced`, `suppressed`, …).
    """

    digest = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="delivery_reports"
    )
    recipient = models.CharField(_("address"), max_length=320, blank=True)
    status = models.CharField(_("status code"), max_length=16, blank=True)
    diagnostic = models.CharField(_("diagnostic"), max_length=1000, blank=True)
    feedback_type = models.CharField(_("feedback type"), max_length=40, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    source = models.CharField(_("read from"), max_length=10)
    reported_at = models.DateTimeField(_("reported"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    effects = models.JSONField(_("effects"), default=list, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("delivery report")
        verbose_name_plural = _("delivery reports")
        indexes = [
            models.Index(fields=["recipient", "kind", "reported_at"]),
            models.Index(fields=["party", "-reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"


class SignedCallback(models.Model):
    """A signed callback (delivery receipt or inbound SMS) taken in, by its webhook id: the
    same id again is a replay and is refused. Kept a day, longer than any signature lives."""

    webhook_id = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.webhook_id
