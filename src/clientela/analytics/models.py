"""Customer metrics (one row per party), lifecycle changes and the record of each refresh."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.parties.models import Party


class LifecycleState(models.TextChoices):
    POTENTIAL = "potential", _("Potential")
    NEW = "new", _("New")
    ACTIVE = "active", _("Active")
    AT_RISK = "at_risk", _("At risk")
    INACTIVE = "inactive", _("Inactive")
    REACTIVATED = "reactivated", _("Reactivated")
    LOST = "lost", _("Lost")


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL_LOYALISTS = "potential_loyalists", _("Potential loyalists")
    NEW = "new", _("New customers")
    PROMISING = "promising", _("Promising")
    NEED_ATTENTION = "need_attention", _("Need attention")
    ABOUT_TO_SLEEP = "about_to_sleep", _("About to sleep")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class CustomerMetrics(models.Model):
    """What the last refresh computed for one party: RFM, model outputs, lifecycle and tier.

    Day counts are whole UTC days; money is in the reporting currency (`currency`), orders in
    other currencies converted at their day's rate; `unconverted_orders` counts this party's
    orders that no rate covered, which are in none of its figures.
    Parties with no purchase have a row too (lifecycle "potential", purchase fields empty).
    Indexed: only the columns segment rules and the dashboard select on by themselves (every
    index is rebuilt over every row at each refresh; see docs/analytics.md).
    """

    # No foreign-key constraint in the database: the table is derived data that each refresh
    # replaces whole, from the parties of the same transaction, and a constraint would make
    # SQLite delete the old rows one at a time and look up each new row's party (about 1 s a
    # refresh at a million parties). Django still deletes the row with its party (CASCADE).
    party = models.OneToOneField(
        Party,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="metrics",
        db_constraint=False,
    )
    as_of = models.DateField(_("as of"))  # the same on every row: no index
    computed_at = models.DateTimeField(_("computed at"))
    currency = models.CharField(_("currency"), max_length=3)
    occasions = models.PositiveIntegerField(_("purchase occasions"), default=0)
    frequency = models.PositiveIntegerField(_("repeat purchases"), default=0)
    recency_days = models.IntegerField(_("days since last purchase"), null=True)
    active_span_days = models.IntegerField(_("days from first to last purchase"), null=True)
    tenure_days = models.IntegerField(_("days since first purchase"), null=True)
    monetary = models.DecimalField(_("total spent"), max_digits=16, decimal_places=2, null=True)
    average_repeat_value = models.DecimalField(
        _("average repeat purchase"), max_digits=16, decimal_places=2, null=True
    )
    first_purchase_at = models.DateField(_("first purchase"), null=True, db_index=True)
    last_purchase_at = models.DateField(_("last purchase"), null=True, db_index=True)
    r_score = models.PositiveSmallIntegerField(_("R score"), null=True)
    f_score = models.PositiveSmallIntegerField(_("F score"), null=True)
    m_score = models.PositiveSmallIntegerField(_("M score"), null=True)
    rfm_segment = models.CharField(
        _("RFM segment"), max_length=20, choices=RfmSegment.choices, blank=True
    )
    p_alive = models.FloatField(_("probability alive"), null=True, db_index=True)
    expected_purchases = models.FloatField(_("expected purchases"), null=True)
    expected_spend = models.DecimalField(
        _("expected spend per purchase"), max_digits=16, decimal_places=2, null=True
    )
    clv = models.DecimalField(
        _("lifetime value"), max_digits=16, decimal_places=2, null=True, db_index=True
    )
    tier = models.CharField(_("value tier"), max_length=30, blank=True)
    lifecycle_state = models.CharField(
        _("lifecycle state"),
        max_length=12,
        choices=LifecycleState.choices,
        default=LifecycleState.POTENTIAL,
    )
    state_since = models.DateField(_("in this state since"))
    unconverted_orders = models.PositiveIntegerField(
        _("orders without an exchange rate"), default=0
    )

    class Meta:
        # The text columns' indexes are declared here rather than with db_index: on PostgreSQL
        # db_index adds a second, varchar_pattern_ops index per column for LIKE, which nothing
        # asks of these codes, and every index is built again at each refresh.
        indexes = [
            models.Index(fields=["rfm_segment"], name="metrics_rfm_segment_idx"),
            models.Index(fields=["tier"], name="metrics_tier_idx"),
            models.Index(fields=["lifecycle_state"], name="metrics_lifecycle_state_idx"),
        ]
        verbose_name = _("customer metrics")
        verbose_name_plural = _("customer metrics")

    def __str__(self) -> str:
        return f"{self.party_id} {self.lifecycle_state} {self.as_of}"


class LifecycleChange(models.Model):
    """One change of a party's lifecycle state, found by the refresh of `as_of`."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="lifecycle_changes")
    from_state = models.CharField(_("from"), max_length=12, choices=LifecycleState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=LifecycleState.choices)
    as_of = models.DateField(_("as of"))
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["party", "-at", "-id"]),
            models.Index(fields=["as_of", "from_state", "to_state"]),
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.from_state} -> {self.to_state} ({self.as_of})"


class CurrencySource(models.TextChoices):
    """Why the refresh reported in its currency."""

    SET = "set", _("set by the company")
    MOST_ORDER_VALUE = "most_order_value", _("the currency that holds most of the order value")
    NO_ORDERS = "no_orders", _("no orders yet: the default")


class RefreshRun(models.Model):
    """One refresh: its date, the fitted model parameters and what was left out."""

    as_of = models.DateField(_("as of"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    currency = models.CharField(_("currency"), max_length=3)
    currency_source = models.CharField(
        _("why this currency"),
        max_length=20,
        choices=CurrencySource.choices,
        default=CurrencySource.SET,
    )
    horizon_days = models.PositiveIntegerField(_("horizon in days"))
    discount_rate = models.FloatField(_("yearly discount rate"))
    parties = models.PositiveIntegerField(_("parties"))
    customers = models.PositiveIntegerField(_("customers with a purchase"))
    excluded_orders = models.PositiveIntegerField(_("orders without an exchange rate"))
    # Those orders per currency: [{"currency", "orders", "value", "first_day", "last_day"}].
    unconverted = models.JSONField(_("orders without an exchange rate, per currency"), default=list)
    lifecycle_changes = models.PositiveIntegerField(_("lifecycle changes"))
    bgnbd = models.JSONField(_("BG/NBD parameters"), null=True)
    gamma_gamma = models.JSONField(_("Gamma-Gamma parameters"), null=True)
    # RFM quintile and value-tier cut-offs (services.refresh.cutoffs_of): customers updated
    # between refreshes are placed among the others with them.
    cutoffs = models.JSONField(_("score and tier cut-offs"), default=dict)
    timings = models.JSONField(_("seconds per step"), default=dict)

    class Meta:
        ordering = ["-finished_at", "-id"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"refresh {self.as_of}"
