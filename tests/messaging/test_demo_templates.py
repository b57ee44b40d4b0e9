"""The demo's templates are valid and speak each customer's language."""

from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.demo.services.templates import add_templates
from clientela.messaging.models import Template
from clientela.messaging.services import render_for
from tests.factories import make_party

pytestmark = pytest.mark.django_db


def test_the_welcome_email_and_the_birthday_sms(marketer: User) -> None:
    assert add_templates(marketer) == 2
    welcome = Template.objects.get(name="Welcome")
    assert sorted(welcome.variants.values_list("language", flat=True)) == ["en", "es", "it", "pt"]
    rendered = render_for(welcome, make_party(given_name="Giulia", language="it"), preview=True)
    assert rendered.subject.startswith("Benvenuto in ")
    assert rendered.subject.endswith(", Giulia")
    sms = Template.objects.get(name="Birthday greeting")
    text = render_for(sms, make_party(given_name="Lucía", language="es-AR"), preview=True).text
    assert text.startswith("¡Feliz cumpleaños, Lucía!")
