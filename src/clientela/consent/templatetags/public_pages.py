"""What every public page shows of the company: its name and logo above, its address below."""

from __future__ import annotations

from django import template

from clientela.accounts.services import CompanySettings, company_settings

register = template.Library()


@register.simple_tag
def public_company() -> CompanySettings:
    """The company's settings in effect (`{% public_company as company %}`)."""
    return company_settings()
