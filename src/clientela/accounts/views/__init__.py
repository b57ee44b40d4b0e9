"""Pages of the settings area (users and invitations, teams, API tokens, the audit log) and
the pages reached from a mailed link (joining from an invitation, choosing a new password).
Split by noun; `accounts.urls` names them all."""
