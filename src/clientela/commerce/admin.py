"""The order tables in Django's admin: orders with their lines, found by external id or party."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import ExchangeRate, Order, OrderLine
from clientela.core.admin import ReadOnlyAdmin
from clientela.core.money import is_currency


class OrderForm(forms.ModelForm[Order]):
    """The admin's order form: the currency is checked as the API checks it."""

    class Meta:
        model = Order
        fields = ("external_id", "party", "ordered_at", "total", "currency", "status", "channel")

    def clean_currency(self) -> str:
        currency = str(self.cleaned_data["currency"]).strip().upper()
        if not is_currency(currency):
            raise forms.ValidationError(
                _("is not an ISO 4217 currency code such as EUR"), code="currency_invalid"
            )
        return currency


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    fields = ("sku", "product", "category", "quantity", "unit_price")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    form = OrderForm
    inlines = (OrderLineInline,)
    list_display = (
        "external_id",
        "party",
        "ordered_at",
        "total",
        "currency",
        "status",
        "channel",
        "created_at",
    )
    list_filter = ("status", "channel", "currency")
    search_fields = ("external_id", "party__external_id", "party__display_name")
    list_select_related = ("party",)
    raw_id_fields = ("party",)
    date_hierarchy = "ordered_at"
    ordering = ("-ordered_at", "-id")
    readonly_fields = ("created_at",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: Order | None = None
    ) -> tuple[str, ...] | list[str]:
        """The external id names the order in the source system: set once, never changed."""
        fields: Any = super().get_readonly_fields(request, obj)
        return (*fields, "external_id") if obj is not None else fields


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin[OrderLine]):
    """The lines on their own, to find every order of a product or SKU."""

    list_display = ("order", "sku", "product", "category", "quantity", "unit_price")
    list_filter = ("category",)
    search_fields = ("sku", "product", "order__external_id")
    list_select_related = ("order",)
    raw_id_fields = ("order",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    """Rates are entered on /exchange-rates/ or imported (commerce's services check them)."""

    list_display = ("day", "base", "currency", "rate", "source", "recorded_by", "recorded_at")
    list_filter = ("base", "currency", "source")
    date_hierarchy = "day"
    list_select_related = ("recorded_by",)
