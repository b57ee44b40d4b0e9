"""`clientela templates {list,show,preview}`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from clientela.accounts.models import Role, User
from tests.factories import make_party, make_user
from tests.messaging.conftest import MakeTemplate

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("templates", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_list_and_show(make_template: MakeTemplate) -> None:
    template = make_template(
        variants={
            "en": {"subject": "Hi", "body": "<p>x</p>"},
            "pt": {"subject": "Olá", "body": "y"},
        }
    )
    assert _run("list") == f"{template.pk}\tWelcome\temail\tmarketing\ten,pt (en)\n"
    shown = _run("show", str(template.pk))
    assert "[pt]\nSubject: Olá\ny" in shown
    assert json.loads(_run("show", str(template.pk), "--json"))["languages"] == ["en", "pt"]


def test_preview_for_a_party_says_the_variant_and_why(
    admin: User, make_template: MakeTemplate
) -> None:
    template = make_template(
        channel="sms", purpose="transactional",
        variants={"en": "Hi {{ party.first_name }}", "pt": "Olá {{ party.first_name }}"},
    )  # fmt: skip
    party = make_party(given_name="Rita", language="pt-BR")
    out = _run("preview", str(template.pk), "--party", str(party.pk))
    assert out.splitlines()[0].startswith(f"Party {party.pk} (Rita Tester")
    assert "variant pt, the same language, another region" in out
    assert "Olá Rita" in out


def test_preview_obeys_the_acting_users_access(make_template: MakeTemplate) -> None:
    template = make_template()
    owner = make_user(role=Role.SALES, team="A")
    other = make_user(role=Role.SALES, team="B", email="other@example.com")
    party = make_party(owner=owner, team=owner.team)
    with pytest.raises(CommandError, match="not found"):
        _run("preview", str(template.pk), "--party", str(party.pk), "--as", other.email)
