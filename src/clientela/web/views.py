"""Sign-in, sign-out, the dashboard, the language switch, the customer 360 page, an order's
page, the company's settings and the custom-field definitions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from clientela.accounts.models import Right, User
from clientela.accounts.services import (
    company_settings,
    remove_company_logo,
    require_right,
    set_company_logo,
    sign_in,
    update_company,
)
from clientela.accounts.services.company import FIELDS as COMPANY_FIELDS
from clientela.accounts.services.company import countries, time_zones
from clientela.accounts.services.logo import MAX_BYTES as LOGO_MAX_BYTES
from clientela.analytics.services.config import reporting_currency
from clientela.commerce.presenters import order_page
from clientela.commerce.queries import get_visible_order
from clientela.core.errors import FieldError, Forbidden, Invalid, NotFound, Throttled
from clientela.core.htmx import htmx
from clientela.core.ids import id_from_text, is_id
from clientela.core.money import CURRENCIES
from clientela.core.pages import invalid_messages, page_errors
from clientela.core.registries import forwarded_party
from clientela.core.requests import current_user
from clientela.interactions.presenters import channel_label, direction_label, timeline_context
from clientela.parties.models import CustomField, CustomFieldType, PartyKind
from clientela.parties.queries import get_visible_party, visible_party_details
from clientela.parties.services import (
    change_custom_field,
    define_custom_field,
    delete_custom_field,
    find_custom_field,
)
from clientela.web.presenters import chosen_tab, page_tabs, party_page_panels
from clientela.web.services import dashboard

# One answer for unknown user, wrong password and disabled user.
SIGN_IN_REFUSED = FieldError(
    "email",
    None,
    _("E-mail or password is not right, or too many attempts. Try again later."),
    code="sign_in_refused",
)


@require_http_methods(["GET", "POST"])
def sign_in_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        return redirect("web:dashboard")
    error, code, status, email = "", "", 200, ""
    throttled: Throttled | None = None
    if request.method == "POST":
        email = request.POST.get("email", "")[:254]
        try:
            user = sign_in(request, email, request.POST.get("password", "")[:4096])
        except Throttled as exc:
            user, throttled = None, exc
        if user is not None:
            login(request, user)
            return redirect(_safe_next(request, "web:dashboard"))
        if throttled is not None:
            error, code, status = throttled.detail, throttled.code, throttled.status
        else:
            error, code, status = SIGN_IN_REFUSED.text(), SIGN_IN_REFUSED.code, 401
    context = {
        "error": error,
        "error_code": code,
        "email": email,
        "next": request.GET.get("next", ""),
    }
    response = render(request, "web/sign_in.html", context, status=status)
    for header, value in (throttled.headers if throttled else {}).items():
        response[header] = value
    return response


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


@require_http_methods(["GET", "POST"])
def admin_sign_in_view(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the product's page, whose throttling it would otherwise skip.

    Django's admin has its own sign-in form that checks passwords without the throttle; its
    address leads here instead, and the admin itself lets in admins only (User.is_staff; other
    signed-in users get 403 from core.middleware.admin_for_admins). An admin already signed in
    goes straight on.
    """
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        return redirect(target)
    return redirect(f"{reverse('web:login')}?{urlencode({'next': target})}")


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@require_GET
@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    board = dashboard(current_user(request))
    recent = [
        {
            "interaction": i,
            "channel_label": channel_label(i.channel),
            "direction_label": direction_label(i.direction),
        }
        for i in board.recent
    ]
    return render(request, "web/dashboard.html", {"board": board, "recent": recent})


@require_POST
@login_required
def language_view(request: HttpRequest) -> HttpResponse:
    """Remember the user's language; empty means follow the browser's."""
    user = current_user(request)
    code = request.POST.get("language", "")
    if code not in {c for c, _name in settings.LANGUAGES}:
        code = ""
    user.language = code
    user.save(update_fields=["language"])
    if code:
        return set_language(request)  # the cookie, for pages before sign-in
    response = HttpResponseRedirect(_safe_next(request, "/"))
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@require_GET
@login_required
@page_errors
def party_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    """The customer 360: a header of the party and one section (`?tab=`, the timeline first)
    of every feature's panels about it (core.registries); the tabs are plain links, which
    htmx follows in place."""
    user = current_user(request)
    try:
        party = visible_party_details(user, party_id)
    except NotFound:
        # A party that went elsewhere (merged) leads there: bookmarks, links in mail.
        target = forwarded_party(party_id)
        if target is None:
            raise
        get_visible_party(user, target)
        return redirect("parties:detail", party_id=target)
    tabs = page_tabs()
    tab = chosen_tab(tabs, request.GET.get("tab", ""))
    context = {
        "party": party,
        "can_write": user.can_write,
        "tabs": tabs,
        "tab": tab,
        "panels": party_page_panels(request, party, tab.name if tab else ""),
    }
    return render(request, "web/party.html", context)


@require_GET
@login_required
@page_errors
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    """An order and its lines, for those who may see its party (404 for the others); its total
    also in the reporting currency when that is another one."""
    order = get_visible_order(current_user(request), order_id)
    context = order_page(order, reporting_currency().code)
    return render(request, "web/order.html", context)


@require_GET
@login_required
@page_errors
def party_timeline(request: HttpRequest, party_id: int) -> HttpResponse:
    """The timeline alone (htmx): filtered, or the next page after a cursor."""
    party = get_visible_party(current_user(request), party_id)
    if not htmx(request):
        query = request.GET.urlencode()
        url = reverse("parties:detail", args=[party.pk])
        return redirect(f"{url}?{query}#timeline" if query else f"{url}#timeline")
    context = {"party": party, **timeline_context(request, party)}
    template = "interactions/_timeline_page.html" if request.GET.get("cursor") else None
    return render(request, template or "interactions/_timeline.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def company_view(request: HttpRequest) -> HttpResponse:
    """The company's settings, for admins: saved by the one writer, errors beside each field."""
    user = current_user(request)
    if not user.is_staff:  # an active admin
        raise Forbidden(
            _("only an admin may change the company's settings"), code="company_admin_only"
        )
    current = company_settings()
    values = {
        name: getattr(current, name) if name in current.set_fields else ""
        for name in COMPANY_FIELDS
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "")[:4000] for name in COMPANY_FIELDS}
        try:
            with transaction.atomic():
                update_company(by=user, **values)
                _save_logo(request, by=user)
        except Invalid as exc:
            for error, message in invalid_messages(exc):
                errors.setdefault(error.field, []).append(message)
            status = 422
        else:
            messages.success(request, _("The company's settings were saved."))
            return redirect("web:company")
    language = (get_language() or "en").split("-")[0]
    country_names = sorted(
        (
            (code, names.get(language) or names.get("en") or code)
            for code, names in countries().items()
        ),
        key=lambda item: item[1],
    )
    context = {
        "values": values,
        "errors": errors,
        "current": current,
        "countries": country_names,
        "time_zones": time_zones(),
        "currencies": sorted(CURRENCIES),
        "languages": settings.LANGUAGES,
    }
    return render(request, "web/company.html", context, status=status)


# --- custom-field definitions (admins) ------------------------------------------------------

CUSTOM_FIELD_INPUTS = ("key", "label", "type", "applies_to", "position", "choices")


def _custom_field_values(request: HttpRequest) -> dict[str, Any]:
    """What the custom-field form sent, in the shape the service takes."""
    values: dict[str, Any] = {
        name: request.POST.get(name, "")[:2000] for name in CUSTOM_FIELD_INPUTS
    }
    values["labels"] = {
        code: request.POST.get(f"label_{code}", "")[:200] for code, _name in settings.LANGUAGES
    }
    values["choices"] = [c for c in values["choices"].splitlines() if c.strip()]
    values["required"] = request.POST.get("required") == "on"
    position = id_from_text(values["position"])
    values["position"] = position if position is not None else 0
    return values


def _custom_field_form(
    request: HttpRequest,
    field: CustomField | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int,
) -> HttpResponse:
    context = {
        "field": field,
        "values": values,
        "errors": errors,
        "types": CustomFieldType.choices,
        "kinds": PartyKind.choices,
        "languages": settings.LANGUAGES,
        "fields": CustomField.objects.all(),
    }
    return render(request, "web/custom_fields.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def custom_fields_view(request: HttpRequest) -> HttpResponse:
    """The custom fields defined, and the form for a new one (admins)."""
    user = current_user(request)
    require_right(user, Right.ADMINISTER)
    values: dict[str, Any] = {"type": CustomFieldType.TEXT.value, "labels": {}, "choices": []}
    if request.method == "GET":
        return _custom_field_form(request, None, values, {}, 200)
    values = _custom_field_values(request)
    try:
        with transaction.atomic():
            field = define_custom_field(values, by=user)
    except Invalid as exc:
        return _custom_field_form(request, None, values, _errors_by_field(exc), 422)
    messages.success(request, _("The field “%(label)s” was created.") % {"label": field.label})
    return redirect("web:custom_fields")


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def custom_field_view(request: HttpRequest, field_id: int) -> HttpResponse:
    """Change (or, with action=delete, delete) one custom field's definition (admins)."""
    user = current_user(request)
    require_right(user, Right.ADMINISTER)
    field = find_custom_field(field_id) if is_id(field_id) else find_custom_field(0)
    values = {
        "key": field.key,
        "label": field.label,
        "labels": dict(field.labels),
        "type": field.type,
        "applies_to": field.applies_to,
        "position": field.position,
        "choices": field.choices,
        "required": field.required,
    }
    if request.method == "GET":
        return _custom_field_form(request, field, values, {}, 200)
    if request.POST.get("action") == "delete":
        with transaction.atomic():
            delete_custom_field(field, by=user)
        messages.success(request, _("The field “%(label)s” was deleted.") % {"label": field.label})
        return redirect("web:custom_fields")
    values = _custom_field_values(request)
    try:
        with transaction.atomic():
            change_custom_field(field, values, by=user)
    except Invalid as exc:
        field.refresh_from_db()
        return _custom_field_form(request, field, values, _errors_by_field(exc), 422)
    messages.success(request, _("The field “%(label)s” was saved.") % {"label": field.label})
    return redirect("web:custom_fields")


def _errors_by_field(exc: Invalid) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error, message in invalid_messages(exc):
        errors.setdefault(error.field, []).append(message)
    return errors


def _save_logo(request: HttpRequest, *, by: User) -> None:
    """A logo chosen on the form replaces the one there; "Remove the logo" takes it away."""
    upload = request.FILES.get("logo")
    if upload is not None:
        set_company_logo(by=by, data=upload.read(LOGO_MAX_BYTES + 1))
    elif request.POST.get("remove_logo") == "on":
        remove_company_logo(by=by)
