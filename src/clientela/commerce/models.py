"""Orders and their lines: each customer's purchase history; the exchange rates that convert
them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.money import MONEY_DIGITS, MONEY_PLACES, RATE_DIGITS, RATE_PLACES
from clientela.parties.models import Party


class OrderStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class SalesChannel(models.TextChoices):
    WEB = "web", _("Web shop")
    STORE = "store", _("Store")
    PHONE = "phone", _("Phone")
    SALES_REP = "sales_rep", _("Sales representative")
    MARKETPLACE = "marketplace", _("Marketplace")
    DISTRIBUTOR = "distributor", _("Distributor")
    OTHER = "other", _("Other")


class Order(models.Model):
    """A purchase by a party, identified by the source system's external id."""

    external_id = models.CharField(_("external id"), max_length=100, unique=True)
    # No index of its own: the (party, -ordered_at, -id) index below starts with it.
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    total = models.DecimalField(_("total"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=SalesChannel.choices, default=SalesChannel.OTHER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]
        indexes = [models.Index(fields=["party", "-ordered_at", "-id"])]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    """One product line of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    product = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"


class ExchangeRate(models.Model):
    """How many units of `currency` one unit of `base` bought on `day` (ECB: 1 EUR = rate USD).

    One row per day, currency and base; a day with no row (the ECB publishes none at weekends)
    borrows the latest earlier rate within the look-back (CLIENTELA_RATE_LOOKBACK_DAYS).
    """

    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3)
    base = models.CharField(_("base currency"), max_length=3, default="EUR")
    rate = models.DecimalField(_("rate"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    # Where it came from: a file's name, "manual" or "api"; never personal data.
    source = models.CharField(_("source"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["-day", "base", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            # Also the index of the conversion's look-up: base, currency, then day descending.
            models.UniqueConstraint(
                fields=["base", "currency", "day"], name="exchange_rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~Q(currency=models.F("base")), name="exchange_rate_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} 1 {self.base} = {self.rate} {self.currency}"
