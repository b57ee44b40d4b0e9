"""The exchange rates page: see the rates, enter one by hand, upload a file of them."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import ValidationError

from clientela.commerce import presenters
from clientela.commerce.schemas import ExchangeRateIn
from clientela.commerce.services.rate_files import FORMATS
from clientela.commerce.services.rates import (
    import_rates,
    may_write_rates,
    require_rates_write,
    set_rate,
)
from clientela.core.errors import DomainError, Invalid
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user

FIELDS = ("day", "currency", "rate", "base")
# An upload larger than this is refused before it is read (the ECB's whole history is ~2 MB).
MAX_UPLOAD = 20 * 1024 * 1024


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    user = current_user(request)
    currency = request.GET.get("currency", "").strip().upper()[:3]
    context = {
        "rows": presenters.rate_rows(currency=currency),
        "currency": currency,
        "may_write": may_write_rates(user),
        "values": {"base": "EUR"},
        "errors": {},
        "file_errors": [],
        "formats": FORMATS,
        **extra,
    }
    return render(request, "commerce/rates.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def rates(request: HttpRequest) -> HttpResponse:
    """The rates, newest day first; a POST enters one (admins and managers)."""
    if request.method == "GET":
        return _page(request)
    user = current_user(request)
    require_rates_write(user)
    values = {name: request.POST.get(name, "").strip() for name in FIELDS}
    errors: dict[str, list[str]] = {}
    try:
        data = ExchangeRateIn.model_validate({**values, "base": values["base"] or "EUR"})
        with transaction.atomic():
            rate, outcome = set_rate(
                data.day, data.currency, data.rate, base=data.base, source="manual", by=user
            )
    except ValidationError as exc:
        for error, message in pydantic_messages(exc):
            errors.setdefault(error.field.split(".")[0], []).append(message)
    except Invalid as exc:
        for error, message in invalid_messages(exc):
            errors.setdefault(error.field, []).append(message)
    if errors:
        return _page(request, status=422, values=values, errors=errors)
    messages.success(request, presenters.outcome_message(rate, outcome))
    return redirect("commerce:rates")


@require_POST
@login_required
@page_errors
def rates_import(request: HttpRequest) -> HttpResponse:
    """Import an uploaded file of rates: all of it, or nothing with each problem listed."""
    user = current_user(request)
    require_rates_write(user)
    upload = request.FILES.get("file")
    fmt = request.POST.get("format") or None
    problems: list[str] = []
    if upload is None:
        problems = [_("Choose a file of exchange rates.")]
    elif upload.size and upload.size > MAX_UPLOAD:
        problems = [_("The file is larger than 20 MB.")]
    elif fmt is not None and fmt not in FORMATS:
        problems = [_("Choose the format ECB or long, or let it be detected.")]
    else:
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            problems = [_("The file is not UTF-8 text.")]
        else:
            try:
                with transaction.atomic():
                    done = import_rates(
                        io.StringIO(text, newline=""), fmt=fmt,
                        source=(upload.name or "upload")[:100], by=user,
                    )  # fmt: skip
            except DomainError as exc:
                problems = [exc.detail] if exc.message else []
                problems += [error.describe() for error in exc.errors]  # line, field, value
            else:
                messages.success(request, presenters.import_message(done))
                return redirect("commerce:rates")
    return _page(request, status=422, file_errors=problems)
