"""Consent with proof, preferences, suppression, signed links, sign-ups and privacy requests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.parties.models import Party


class Purpose(models.TextChoices):
    """Why the company would contact the party; transactional messages need no consent."""

    MARKETING = "marketing", _("Marketing")
    NEWSLETTER = "newsletter", _("Newsletter")
    GREETINGS = "greetings", _("Greetings")
    SURVEYS = "surveys", _("Surveys")
    PROFILING = "profiling", _("Profiling")
    TRANSACTIONAL = "transactional", _("Transactional")


# The purposes a consent record may be about (transactional needs none).
CONSENT_PURPOSES = tuple(p for p in Purpose if p != Purpose.TRANSACTIONAL)
# Purposes that send messages, in the order pages show them.
CONTACT_PURPOSES = (Purpose.MARKETING, Purpose.NEWSLETTER, Purpose.GREETINGS, Purpose.SURVEYS)


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    MESSAGING = "messaging", _("Messaging apps")
    ANY = "any", _("Any channel")


# Channels a message travels on; "any" is only for profiling, which sends nothing.
CONTACT_CHANNELS = (
    ConsentChannel.EMAIL,
    ConsentChannel.SMS,
    ConsentChannel.PHONE,
    ConsentChannel.POST,
    ConsentChannel.MESSAGING,
)


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest (existing customer)")
    CONTRACT = "contract", _("Contract")


class ConsentSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    STAFF = "staff", _("Staff")
    PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    DOUBLE_OPT_IN = "double_opt_in", _("Confirmed sign-up (double opt-in)")
    PRIVACY_REQUEST = "privacy_request", _("Privacy request")
    COMPLAINT_REPORT = "complaint_report", _("Spam complaint (mailbox provider's report)")
    SMS_REPLY = "sms_reply", _("Reply by SMS")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a consent record."""


class ConsentWording(models.Model):
    """The exact text a person agreed to, stored once and referenced by its SHA-256 hash.

    Database triggers refuse every change and deletion (migration 0006), but one: an
    erasure blanks the text and version of a wording that names the erased person, stamping
    `erased_at`; the hash stays and still proves which text it was.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField(_("wording"))
    version = models.CharField(_("version"), max_length=50, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version or self.sha256[:12]}"


class ConsentQuerySet(models.QuerySet["ConsentRecord"]):
    """Refuses bulk changes: the history of consent is proof and is only ever appended to."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("consent records are append-only: record a new one instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("consent records are append-only: record a new one instead")

    def erase_self_service_details(self) -> int:
        """Blank the IP address, user agent and note, stamping `erased_at`: erasure only (GDPR
        art. 17), the one change the database triggers let through."""
        return super().update(ip_address=None, user_agent="", note="", erased_at=timezone.now())


class ConsentRecord(models.Model):
    """One yes or no of a party, for a purpose on a channel, with its proof.

    Append-only: database triggers refuse UPDATE and DELETE (migration 0006) except
    erasure's pseudonymisation (see `erase_self_service_details`) and a merge moving the
    records of an archived party, unchanged, to the survivor (or an unmerge moving them back
    while that party is still archived: migration 0008). docs/consent.md says more.
    """

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="consent_records")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=ConsentChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConsentStatus.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    # Every record carries a wording: what the person agreed to or asked, or for a record made
    # without one, the standard sentence of what was recorded (services.wordings).
    wording = models.ForeignKey(
        ConsentWording,
        verbose_name=_("wording"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    # PROTECT: who recorded it is part of the proof; a user who did is disabled, not deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Set once, by erasure: the IP address, user agent and note are gone.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["party", "purpose", "channel", "-recorded_at", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="transactional"), name="consent_not_transactional"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel}: {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("consent records are append-only: record a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("consent records are append-only: record a new one instead")


class Preferences(models.Model):
    """How and how often the party wants to hear from the company (one row per party)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="preferences")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=12, choices=ConsentChannel.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    max_per_week = models.PositiveSmallIntegerField(
        _("most messages per week"), null=True, blank=True
    )
    max_per_month = models.PositiveSmallIntegerField(
        _("most messages per month"), null=True, blank=True
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"preferences of party {self.party_id}"


class ContactLog(models.Model):
    """One message actually sent to a party: what frequency limits count."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_log")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    channel = models.CharField(max_length=12, choices=ConsentChannel.choices)
    at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["party", "-at"])]

    def __str__(self) -> str:
        return f"{self.purpose}/{self.channel} {self.at:%Y-%m-%d %H:%M}"


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    ERASED = "erased", _("Erased person")
    MANUAL = "manual", _("Added by staff")


class SuppressedContact(models.Model):
    """An address or number that must never be contacted; found by its keyed hash."""

    kind = models.CharField(max_length=10)  # the ContactKind: email or phone
    digest = models.CharField(max_length=64, unique=True)
    # Empty for erased people: only the keyed hash remains of them.
    value = models.CharField(_("address or number"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=SuppressionReason.choices)
    at = models.DateTimeField(_("since"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]} ({self.reason})"


class TokenPurpose(models.TextChoices):
    PREFERENCES = "preferences", _("Preference centre")
    UNSUBSCRIBE = "unsubscribe", _("One-click unsubscribe")


class PreferenceToken(models.Model):
    """A link sent to a party; only the keyed hash of its random token is stored."""

    digest = models.CharField(max_length=64, unique=True)
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=12, choices=TokenPurpose.choices)
    # For unsubscribe links: the list (consent purpose) the link leaves.
    list_purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} link for party {self.party_id}"


class SignupRequest(models.Model):
    """A public sign-up waiting for (or done with) its confirmation by e-mail."""

    email = models.CharField(max_length=254)
    email_digest = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    purposes = models.JSONField(default=list)
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ip_digest = models.CharField(max_length=64, db_index=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.CASCADE)

    def __str__(self) -> str:
        return f"sign-up {self.pk}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access / portability (export)")
    ERASURE = "erasure", _("Erasure (right to be forgotten)")
    OBJECTION = "objection", _("Objection to direct marketing")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class RequestChannel(models.TextChoices):
    PREFERENCE_CENTRE = "preference_centre", _("Preference centre")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    CLI = "cli", _("Command line")


class PrivacyRequest(models.Model):
    """A data-protection request of a party, with its one-month deadline and outcome."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(_("kind"), max_length=10, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    channel = models.CharField(_("received via"), max_length=20, choices=RequestChannel.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == RequestStatus.OPEN and self.due_at < timezone.now()
