"""REST routes for the company's settings: anyone signed in reads them, admins change them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from clientela.accounts.schemas import CompanyOut, CompanyUpdate
from clientela.accounts.services import company_settings, update_company
from clientela.core.openapi import problems
from clientela.core.requests import current_user

router = Router(tags=["company"])


@router.get("", response=CompanyOut, summary="The company's settings")
def show(request: HttpRequest) -> dict[str, Any]:
    """Country (the default phone region), time zone (what times without an offset mean),
    reporting currency ("" while analytics infers it) and language."""
    return company_settings().as_dict()


@router.patch(
    "", response=CompanyOut, summary="Change the company's settings", openapi_extra=problems(403)
)
def change(request: HttpRequest, payload: CompanyUpdate) -> dict[str, Any]:
    """Only the fields sent change; "" unsets a field. Admins only."""
    with transaction.atomic():
        changed = update_company(by=current_user(request), **payload.model_dump(exclude_unset=True))
    return changed.as_dict()
