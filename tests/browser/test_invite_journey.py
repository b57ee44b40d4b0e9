"""An admin invites a sales rep; the mail reaches a real local SMTP server; the rep joins from
the link and lands signed in; the audit log shows the invitation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role, User
from tests import factories
from tests.consent.conftest import Inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/invitation/\S+/")


def test_an_admin_invites_a_sales_rep_who_joins_from_the_mailed_link(
    page: Page, live_server: object, smtp_inbox: Inbox
) -> None:
    base = str(live_server)
    factories.make_user(role=Role.ADMIN, email="ada@example.com", full_name="Ada Admin")
    factories.make_user(role=Role.SALES, email="old.hand@example.com", team="Porto")

    # The admin signs in and opens the administration from the header.
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Users", exact=True).first).to_be_visible()

    # Invites a sales rep into team Porto.
    page.get_by_label("E-mail").fill("rui@example.com")
    page.get_by_label("Role").select_option("sales")
    page.get_by_label("Team").select_option(label="Porto")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("An invitation was sent to rui@example.com.")).to_be_visible()
    expect(page.locator('table.invitations tr[data-email="rui@example.com"]')).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The mail arrived at the local SMTP server, with the link.
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "rui@example.com"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    found = LINK.search(payload.decode(mail.get_content_charset() or "utf-8"))
    assert found is not None
    link = found.group(0)

    # The rep opens it, chooses a name and password, and lands signed in as a sales rep.
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Clientela")).to_be_visible()
    page.get_by_label("Your name").fill("Rui Reis")
    page.locator("#id_password").fill("a long enough passphrase")
    page.locator("#id_password_again").fill("a long enough passphrase")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("Welcome to Clientela, Rui Reis.")).to_be_visible()
    expect(page.locator(".topbar .user-name")).to_have_text("Rui Reis")
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    rui = User.objects.get(email="rui@example.com")
    assert (rui.role, rui.team.name if rui.team else None) == (Role.SALES, "Porto")

    # The link is used up (asked outside the page: a 404 there is a console error).
    used = page.request.get(link)
    assert used.status == 404
    assert "Link not valid" in used.text()

    # The admin finds the invitation (and the joining) in the audit log.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/settings/audit/")
    invited = page.locator('table.audit-log tr[data-action="user.invited"]')
    expect(invited).to_contain_text("invited rui@example.com to join as Sales")
    expect(invited).to_contain_text("ada@example.com")
    expect(page.locator('table.audit-log tr[data-action="user.joined"]')).to_contain_text(
        "rui@example.com"
    )
