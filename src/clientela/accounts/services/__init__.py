"""Use cases for staff accounts, one module per noun:

- users: creating, finding, enabling and disabling staff users, their role and team; signing in;
- rights: the checks of the matrix of rights (require_right, require_write);
- invitations: inviting someone by e-mail, and the link that lets them join;
- passwords: password resets by e-mail;
- teams: creating, renaming and deleting teams;
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
from clientela.accounts.services.invitations import (
    accept_invitation,
    invite_user,
    open_invitation,
    pending_invitations,
)
from clientela.accounts.services.logo import remove_company_logo, set_company_logo
from clientela.accounts.services.passwords import (
    request_password_reset,
    reset_password,
    send_reset_link,
    user_for_reset,
)
from clientela.accounts.services.rights import require_right, require_write
from clientela.accounts.services.teams import (
    create_team,
    delete_team,
    find_team,
    list_teams,
    rename_team,
)
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
    visible_tokens,
)
from clientela.accounts.services.users import (
    change_role,
    change_team,
    check_password,
    create_user,
    find_user,
    set_user_active,
    sign_in,
)

__all__ = [
    "API_TOKEN",
    "SIGN_IN",
    "TOKEN_PREFIX",
    "CompanySettings",
    "Limit",
    "accept_invitation",
    "audit_entries",
    "authenticate_token",
    "change_role",
    "change_team",
    "check_password",
    "company_settings",
    "count_hit",
    "count_request",
    "create_team",
    "create_token",
    "create_user",
    "delete_team",
    "find_team",
    "find_user",
    "forget_company_settings",
    "invite_user",
    "list_teams",
    "open_invitation",
    "pending_invitations",
    "record_audit",
    "record_token_uses",
    "refuse_if_throttled",
    "remove_company_logo",
    "rename_team",
    "request_password_reset",
    "require_right",
    "require_write",
    "reset_password",
    "revoke_token",
    "send_reset_link",
    "set_company_logo",
    "set_user_active",
    "sign_in",
    "update_company",
    "user_for_reset",
    "user_for_token",
    "visible_tokens",
]
