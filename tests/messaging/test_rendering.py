"""render_for: one variant for the whole message, values in the customer's language and zone,
and the e-mail output (sanitised HTML, text part, the marketing footer with signed links)."""

from __future__ import annotations

import html as markup
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from clientela.accounts.models import Role
from clientela.accounts.services import update_company
from clientela.analytics.models import CustomerMetrics
from clientela.commerce.models import OrderLine
from clientela.consent.models import Preferences, PreferenceToken, TokenPurpose
from clientela.consent.services.tokens import resolve_token
from clientela.messaging.services import render_for
from clientela.parties.models import KeyDate, Party
from tests.factories import make_order, make_party, make_user
from tests.messaging.conftest import MakeTemplate

pytestmark = pytest.mark.django_db

WELCOME = {
    "en": {
        "subject": "Welcome, {{ party.first_name | default: 'friend' }}",
        "body": "<p>Your last order came to {{ last_order.total }} on {{ last_order.date }}.</p>",
    },
    "pt": {
        "subject": "Bem-vinda, {{ party.first_name | default: 'amiga' }}",
        "body": "<p>A sua última encomenda: {{ last_order.total }} em {{ last_order.date }}.</p>",
    },
}


def _customer(language: str = "", **fields: Any) -> Party:
    party = make_party(language=language, email="maria@example.org", **fields)
    make_order(
        party, total=Decimal("1234.50"), currency="EUR",
        ordered_at=datetime(2026, 11, 1, 23, 30, tzinfo=UTC),
    )  # fmt: skip
    return party


def test_a_portuguese_customer_reads_it_all_in_portuguese(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    party = _customer("pt", timezone="Europe/Lisbon")
    rendered = render_for(template, party)
    assert (rendered.language, rendered.reason) == ("pt", "exact")
    assert rendered.subject == "Bem-vinda, Maria"
    assert "1.234,50\u00a0€ em 1 de novembro de 2026" in markup.unescape(rendered.html)


def test_the_day_is_the_customers_own(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    party = _customer("en", timezone="Asia/Tokyo")  # 23:30 UTC is the next morning in Tokyo
    rendered = render_for(template, party)
    assert "€1,234.50 on 2 November 2026" in markup.unescape(rendered.html)


def test_a_brazilian_preference_gets_the_portuguese_variant(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    party = _customer("en")
    Preferences.objects.create(party=party, language="pt-BR")
    rendered = render_for(template, party)
    assert (rendered.language, rendered.reason) == ("pt", "language")
    assert rendered.subject.startswith("Bem-vinda")


def test_a_german_customer_gets_the_default(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    rendered = render_for(template, _customer("de"))
    assert (rendered.language, rendered.reason) == ("en", "default")
    assert "€1,234.50" in rendered.html


def test_a_missing_value_falls_back_to_the_default(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    party = make_party(kind="organization", organization_name="Acme", language="en")
    assert render_for(template, party).subject == "Welcome, friend"


def test_the_text_part_is_made_from_the_html(make_template: MakeTemplate) -> None:
    body = '<style>p { color: red }</style><p>Hello <a href="https://shop.example/">shop</a></p>'
    template = make_template(
        variants={"en": {"subject": "Hi", "body": body}}, purpose="transactional"
    )
    rendered = render_for(template, make_party())
    assert '<p style="color: red;">' in rendered.html
    assert "<style" not in rendered.html
    assert rendered.text == "Hello shop (https://shop.example/)"


def test_a_written_text_part_is_kept(make_template: MakeTemplate) -> None:
    variants = {
        "en": {"subject": "Hi", "body": "<p>x</p>", "text_body": "Hi {{ party.first_name }}"}
    }
    template = make_template(variants=variants, purpose="transactional")
    assert render_for(template, make_party(given_name="Rui")).text == "Hi Rui"


def test_html_a_template_writes_is_sanitised(make_template: MakeTemplate) -> None:
    body = '<p onclick="steal()">x</p><script>steal()</script><a href="javascript:steal()">y</a>'
    template = make_template(
        variants={"en": {"subject": "Hi", "body": body}}, purpose="transactional"
    )
    html = render_for(template, make_party()).html
    assert "steal" not in html


def test_a_marketing_email_carries_the_address_and_a_working_unsubscribe_link(
    make_template: MakeTemplate,
) -> None:
    admin = make_user(role=Role.ADMIN)
    update_company(by=admin, name="Casa Aurora", postal_address="Rua das Flores 12\n4050 Porto")
    template = make_template(variants=WELCOME)
    party = _customer("pt")
    rendered = render_for(template, party)
    assert "Rua das Flores 12<br>4050 Porto" in rendered.html
    assert "Rua das Flores 12\n4050 Porto" in rendered.text
    found = re.search(r"/unsubscribe/([A-Za-z0-9_-]{43})/", rendered.html)
    assert found is not None
    token = resolve_token(found.group(1), purpose=TokenPurpose.UNSUBSCRIBE)
    assert token is not None
    assert (token.party_id, token.list_purpose) == (party.pk, "marketing")
    assert "Cancelar subscrição" in rendered.html  # the footer in the variant's language


def test_a_transactional_email_has_no_footer(make_template: MakeTemplate) -> None:
    template = make_template(variants=WELCOME, purpose="transactional")
    rendered = render_for(template, _customer("en"))
    assert "unsubscribe" not in rendered.html.lower()


def test_a_preview_stores_no_token(make_template: MakeTemplate) -> None:
    template = make_template(variants={"en": {"subject": "Hi", "body": "{{ links.preferences }}"}})
    rendered = render_for(template, make_party(), preview=True)
    assert "/preview/" in rendered.html
    assert PreferenceToken.objects.count() == 0


def test_an_sms_is_plain_text(make_template: MakeTemplate) -> None:
    template = make_template(
        channel="sms", purpose="greetings",
        variants={"en": "Happy birthday {{ party.first_name }} & thanks! {{ dates.birthday }}"},
    )  # fmt: skip
    party = make_party(given_name="Tom <3")
    KeyDate.objects.create(party=party, kind="birthday", day=14, month=3)
    rendered = render_for(template, party)
    assert rendered.text == "Happy birthday Tom <3 & thanks! 14 March"
    assert (rendered.subject, rendered.html) == ("", "")


def test_the_last_orders_lines_and_metrics(make_template: MakeTemplate) -> None:
    body = (
        "{% for line in last_order.lines %}{{ line.quantity }} x {{ line.product }} "
        "{{ line.total }}; {% endfor %}{{ metrics.lifecycle }} {{ metrics.clv }}"
    )
    template = make_template(channel="letter", purpose="transactional", variants={"pt": body},
                             default_language="pt")  # fmt: skip
    party = make_party(language="pt")
    order = make_order(party, currency="EUR")
    OrderLine.objects.create(order=order, product="Café", quantity=Decimal("2.000"),
                             unit_price=Decimal("3.10"))  # fmt: skip
    OrderLine.objects.create(order=order, product="Chá", quantity=Decimal("1.500"),
                             unit_price=Decimal("10"))  # fmt: skip
    CustomerMetrics.objects.create(
        party=party, as_of=datetime(2026, 12, 1, tzinfo=UTC).date(),
        computed_at=datetime(2026, 12, 1, tzinfo=UTC), currency="EUR", clv=Decimal("999.5"),
        lifecycle_state="active", state_since=datetime(2026, 1, 1, tzinfo=UTC).date(),
    )  # fmt: skip
    text = render_for(template, party).text
    assert text == "2 x Café 6,20\u00a0€; 1,5 x Chá 15,00\u00a0€; Ativo 999,50\u00a0€"
