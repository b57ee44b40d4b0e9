"""REST routes for the company's settings: anyone signed in reads them, admins change them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile

from clientela.accounts.schemas import CompanyOut, CompanyUpdate
from clientela.accounts.services import (
    company_settings,
    remove_company_logo,
    set_company_logo,
    update_company,
)
from clientela.accounts.services.logo import MAX_BYTES
from clientela.core.openapi import problems
from clientela.core.requests import current_user

router = Router(tags=["company"])


@router.get("", response=CompanyOut, summary="The company's settings")
def show(request: HttpRequest) -> dict[str, Any]:
    """Country (the default phone region), time zone (what times without an offset mean),
    reporting currency ("" while analytics infers it), language, postal address (the footer of
    every public page) and the logo's address (`logo_url`, null when there is none)."""
    return company_settings().as_dict()


@router.patch(
    "", response=CompanyOut, summary="Change the company's settings", openapi_extra=problems(403)
)
def change(request: HttpRequest, payload: CompanyUpdate) -> dict[str, Any]:
    """Only the fields sent change; "" unsets a field. Admins only."""
    with transaction.atomic():
        changed = update_company(by=current_user(request), **payload.model_dump(exclude_unset=True))
    return changed.as_dict()


@router.post(
    "/logo",
    response=CompanyOut,
    summary="Set the company's logo",
    openapi_extra=problems(403, 422),
)
def put_logo(request: HttpRequest, logo: File[UploadedFile]) -> dict[str, Any]:
    """A PNG, JPEG, WebP or GIF sent as the multipart field `logo`, at most 512 KB and 4096
    pixels a side, checked by its content. Admins only."""
    data = logo.read(MAX_BYTES + 1)
    with transaction.atomic():
        changed = set_company_logo(by=current_user(request), data=data)
    return changed.as_dict()


@router.delete(
    "/logo", response=CompanyOut, summary="Remove the company's logo", openapi_extra=problems(403)
)
def delete_logo(request: HttpRequest) -> dict[str, Any]:
    """Public pages show the company's name alone again. Admins only."""
    with transaction.atomic():
        changed = remove_company_logo(by=current_user(request))
    return changed.as_dict()
