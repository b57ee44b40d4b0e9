"""The accounts tests use the consent tests' real local SMTP server (invitations and resets)."""

from tests.consent.conftest import smtp_inbox  # noqa: F401  (a fixture, found by its name)
