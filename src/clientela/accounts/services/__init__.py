"""Use cases for staff accounts, one module per noun:

- users: creating, finding, enabling and disabling staff users; signing in;
- tokens: API tokens (issued, checked, their use recorded after the answer, revoked);
- throttle: the one throttle of every door (sign-in, API tokens, the public pages);
- company: the company's settings (country, time zone, reporting currency, language, postal
  address); logo: the company's logo file;
- audit: the audit log of changes to the staff's settings and of bulk actions.
"""

from __future__ import annotations

from clientela.accounts.services.audit import audit_entries, record_audit
from clientela.accounts.services.company import (
    CompanySettings,
    company_settings,
    forget_company_settings,
    update_company,
)
from clientela.accounts.services.logo import remove_company_logo, set_company_logo
from clientela.accounts.services.throttle import (
    API_TOKEN,
    SIGN_IN,
    Limit,
    count_hit,
    count_request,
    refuse_if_throttled,
)
from clientela.accounts.services.tokens import (
    TOKEN_PREFIX,
    authenticate_token,
    create_token,
    record_token_uses,
    revoke_token,
    user_for_token,
)
from clientela.accounts.services.users import (
    create_user,
    find_user,
    require_right,
    require_write,
    set_user_active,
    sign_in,
)

__all__ = [
    "API_TOKEN",
    "SIGN_IN",
    "TOKEN_PREFIX",
    "CompanySettings",
    "Limit",
    "audit_entries",
    "authenticate_token",
    "company_settings",
    "count_hit",
    "count_request",
    "create_token",
    "create_user",
    "find_user",
    "forget_company_settings",
    "record_audit",
    "record_token_uses",
    "refuse_if_throttled",
    "remove_company_logo",
    "require_right",
    "require_write",
    "revoke_token",
    "set_company_logo",
    "set_user_active",
    "sign_in",
    "update_company",
    "user_for_token",
]
