"""The template pages: list, create with variants per language, errors next to the field,
edit, archive, and previews that obey who may see which party."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import AuditEntry, User
from clientela.messaging.models import Template
from tests.factories import make_party
from tests.messaging.conftest import MakeTemplate

pytestmark = pytest.mark.django_db
Web = Callable[[User], Client]


def _form(**extra: str) -> dict[str, str]:
    return {
        "name": "Welcome",
        "channel": "email",
        "purpose": "marketing",
        "default_language": "en",
        "v-0-language": "en",
        "v-0-subject": "Hi {{ party.first_name }}",
        "v-0-body": "<p>Welcome</p>",
        "v-1-language": "pt",
        "v-1-subject": "Olá {{ party.first_name }}",
        "v-1-body": "<p>Bem-vindo</p>",
        **extra,
    }


def test_create_a_template_with_two_languages(marketer: User, web_client: Web) -> None:
    client = web_client(marketer)
    assert client.get("/templates/new/").status_code == 200
    answer = client.post("/templates/new/", _form())
    template = Template.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/templates/{template.pk}/"
    assert sorted(template.variants.values_list("language", flat=True)) == ["en", "pt"]
    page = client.get("/templates/").content.decode()
    assert "Welcome" in page
    edit = client.get(f"/templates/{template.pk}/").content.decode()
    assert 'href="#variant-1"' in edit
    assert "Olá {{ party.first_name }}" in edit


def test_an_unknown_variable_is_shown_next_to_its_field(marketer: User, web_client: Web) -> None:
    answer = web_client(marketer).post("/templates/new/", _form(**{"v-1-body": "{{ secrets }}"}))
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "uses the variable secrets, which does not exist" in page
    field = page.index('name="v-1-body"')
    assert page.index("uses the variable secrets") > field
    assert Template.objects.count() == 0


def test_edit_and_archive(marketer: User, web_client: Web, make_template: MakeTemplate) -> None:
    template = make_template()
    client = web_client(marketer)
    answer = client.post(
        f"/templates/{template.pk}/",
        {"name": "Renamed", "purpose": "newsletter", "default_language": "en",
         "v-0-language": "en", "v-0-subject": "New", "v-0-body": "<p>New</p>"},
    )  # fmt: skip
    assert answer.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.purpose) == ("Renamed", "newsletter")
    assert template.variants.get().subject == "New"
    assert client.post(f"/templates/{template.pk}/archive/").status_code == 302
    template.refresh_from_db()
    assert template.archived_at is not None
    assert f'href="/templates/{template.pk}/"' not in client.get("/templates/").content.decode()
    assert list(
        AuditEntry.objects.filter(target_kind="template")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["template.created", "template.changed", "template.archived"]


def test_a_viewer_sees_templates_but_may_not_write(
    viewer: User, web_client: Web, make_template: MakeTemplate
) -> None:
    template = make_template()
    client = web_client(viewer)
    assert client.get("/templates/").status_code == 200
    assert client.post("/templates/new/", _form(name="Other")).status_code == 403
    assert client.post(f"/templates/{template.pk}/archive/").status_code == 403
    template.refresh_from_db()
    assert template.archived_at is None


def test_preview_for_a_party_shows_the_variant_and_why(
    marketer: User, web_client: Web, make_template: MakeTemplate
) -> None:
    template = make_template(
        variants={
            "en": {"subject": "Hi {{ party.first_name }}", "body": "<p>Hello</p>"},
            "pt": {"subject": "Olá {{ party.first_name }}", "body": "<p>Olá</p>"},
        }
    )
    party = make_party(given_name="Inês", language="pt")
    page = web_client(marketer).get(f"/templates/{template.pk}/preview/?party={party.pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Olá Inês" in text
    assert "Variant pt: the customer&#x27;s language" in text


def test_preview_of_a_party_the_user_may_not_see_names_nobody(
    sales_a: User, sales_b: User, web_client: Web, make_template: MakeTemplate
) -> None:
    template = make_template()
    theirs = make_party(owner=sales_b, team=sales_b.team, given_name="Secreta")
    page = web_client(sales_a).get(f"/templates/{template.pk}/preview/?party={theirs.pk}")
    assert page.status_code == 404
    assert "Secreta" not in page.content.decode()
