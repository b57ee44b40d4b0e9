"""Activities: the next steps staff plan with each party, their history on the timeline, the
reminders they give, and each user's calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.accounts.models import Team
from clientela.consent.models import Purpose
from clientela.interactions.models import Interaction
from clientela.parties.models import Party


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    FOLLOW_UP = "follow_up", _("Follow-up")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class ActivityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("activity", "Open")  # an activity: "Aberta" in pt
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class SourceKind(models.TextChoices):
    """What an activity was created from; its id is in `source_id`."""

    STAFF = "staff", _("Planned by staff")
    PERSON = "person", _("A person")
    ACTIVITY = "activity", _("The previous occurrence")
    JOURNEY = "journey", _("A journey")
    CASE = "case", _("A case")
    DEAL = "deal", _("A deal")
    CALL_LIST = "call_list", _("A call list")
    IMPORT = "import", _("An import")


class RepeatUnit(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAYS = "days", _("Days")
    WEEKS = "weeks", _("Weeks")
    MONTHS = "months", _("Months")


class Activity(models.Model):
    """A next step with a party: what, when (in the assignee's zone), for whom, and how it ended.

    Assigned to a user or to a team's queue (exactly one). `due_date` and `due_time` are read in
    `time_zone`; `due_at` is the same moment in UTC (the day's start when there is no time) and
    `overdue_at` the moment it becomes overdue (the day's end when there is no time).
    """

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    due_date = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64)
    due_at = models.DateTimeField(_("due"))
    overdue_at = models.DateTimeField(_("overdue from"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    queue = models.ForeignKey(
        Team,
        verbose_name=_("team queue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    repeat_unit = models.CharField(
        _("repeats every"), max_length=10, choices=RepeatUnit.choices, blank=True, default=""
    )
    repeat_every = models.PositiveSmallIntegerField(_("repeat interval"), default=1)
    source_kind = models.CharField(
        _("created from"), max_length=20, choices=SourceKind.choices, default=SourceKind.STAFF
    )
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous occurrence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_occurrence",
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interaction = models.OneToOneField(
        Interaction,
        verbose_name=_("logged interaction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity",
    )
    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False, queue__isnull=True)
                | Q(assignee__isnull=True, queue__isnull=False),
                name="activity_assignee_or_queue",
            ),
            models.CheckConstraint(
                condition=Q(repeat_every__gte=1), name="activity_repeat_every_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["queue", "status", "due_at"]),
            models.Index(fields=["party", "status", "due_at"]),
            models.Index(fields=["status", "overdue_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_all_day(self) -> bool:
        return self.due_time is None

    @property
    def is_pending(self) -> bool:
        """Still to be done (open, or snoozed)."""
        return self.status in (ActivityStatus.OPEN, ActivityStatus.SNOOZED)


class EventAction(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityEvent(models.Model):
    """An activity's step on the party's timeline (scheduled, done, cancelled); append-only."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=EventAction.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["party", "-at", "-id"])]
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """A notice that someone gave a user an activity; read when the user has seen it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_notices"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assignments")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("assignment notice")
        verbose_name_plural = _("assignment notices")

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.activity_id}"


class ReminderSettings(models.Model):
    """A user's choice of reminders: the daily e-mail digest, and when it was last sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_reminders"
    )
    daily_digest = models.BooleanField(_("daily e-mail digest"), default=False)
    last_digest_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.user_id)


class CalendarFeed(models.Model):
    """A private iCalendar address of one user's activities; only the token's digest is kept.

    Revoked feeds answer 404; a user has at most one live feed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_user"
            )
        ]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    CALL_BACK = "call_back", _("Call back at…")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    REACHED = "reached", _("Reached")
    CALL_BACK = "call_back", _("Call back planned")
    UNREACHABLE = "unreachable", _("No answer after the last attempt")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")
    SKIPPED = "skipped", _("Skipped at call time")
    EXCLUDED = "excluded", _("Left out when built")


class ItemReason(models.TextChoices):  # the consent gate's reason codes, and the list's
    WITHDRAWN = "withdrawn", _("The party withdrew consent for this purpose on this channel.")
    NEVER_GIVEN = "never_given", _("The party never gave consent for this purpose on this channel.")
    ERASED = "erased", _("The party's personal data was erased.")
    NO_CONTACT_POINT = "no_contact_point", _("The party has no address or number for this channel.")
    SUPPRESSED = "suppressed", _("The address or number is on the suppression list.")
    PAUSED = "paused", _("The party paused all messages.")
    QUIET_HOURS = "quiet_hours", _("It is within the party's quiet hours.")
    WEEKLY_CAP = "weekly_cap", _("The party's limit of messages per week is reached.")
    MONTHLY_CAP = "monthly_cap", _("The party's limit of messages per month is reached.")
    NO_CALLER = "no_caller", _("No member of the team may see this party.")
    NO_CALLING_DAY = "no_calling_day", _("Every day of the period is a holiday for the party.")
    NO_CALLING_WINDOW = "no_calling_window", _("The party's quiet hours cover the calling hours.")


class CallList(models.Model):
    """Calls to make in a period for `purpose`, spread across a team by workload."""

    name = models.CharField(_("name"), max_length=150)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    script = models.TextField(_("call script"), blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("attempts per customer"), default=3)
    segment_id = models.BigIntegerField(_("built from segment"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")

    def __str__(self) -> str:
        return self.name


class CallListItem(models.Model):
    """A customer of a call list: who calls, when (the first window, UTC), how it went; its
    `activity` is the current attempt (each attempt is an activity, done with its call)."""

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="items")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ItemReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_outcome = models.CharField(
        _("last outcome"), max_length=20, choices=CallOutcome.choices, blank=True
    )
    window_start = models.DateTimeField(_("calling window from"), null=True, blank=True)
    window_end = models.DateTimeField(_("calling window until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["window_start", "id"]
        constraints = [models.UniqueConstraint(fields=["call_list", "party"], name="one_call_item")]
        indexes = [models.Index(fields=["call_list", "assignee", "status"])]
        verbose_name = _("call list item")
        verbose_name_plural = _("call list items")

    def __str__(self) -> str:
        return f"{self.call_list_id}:{self.party_id} {self.status}"


class AttentionSnooze(models.Model):
    """A customer a user put aside on My day's attention list until a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")
    until = models.DateField(_("until"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "party"], name="one_snooze")]
        verbose_name = _("attention snooze")
        verbose_name_plural = _("attention snoozes")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.party_id} {self.until}"
