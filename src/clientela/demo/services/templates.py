"""The demo's message templates: a welcome e-mail in Portuguese, English, Spanish and Italian,
and a birthday SMS, made through the messaging service as a marketer would."""

from __future__ import annotations

from clientela.accounts.models import User
from clientela.messaging.schemas import TemplateCreate
from clientela.messaging.services import create_template

_WELCOME = {
    "pt": ("Bem-vindo à {{ company.name }}, {{ party.first_name | default: 'cliente' }}",
           "<p>Olá {{ party.first_name | default: 'cliente' }},</p>"
           "<p>Obrigado por escolher a {{ company.name }}. Estamos cá para si.</p>"),
    "en": ("Welcome to {{ company.name }}, {{ party.first_name | default: 'friend' }}",
           "<p>Hello {{ party.first_name | default: 'friend' }},</p>"
           "<p>Thank you for choosing {{ company.name }}. We are here for you.</p>"),
    "es": ("Bienvenido a {{ company.name }}, {{ party.first_name | default: 'cliente' }}",
           "<p>Hola {{ party.first_name | default: 'cliente' }},</p>"
           "<p>Gracias por elegir {{ company.name }}. Estamos aquí para usted.</p>"),
    "it": ("Benvenuto in {{ company.name }}, {{ party.first_name | default: 'cliente' }}",
           "<p>Ciao {{ party.first_name | default: 'cliente' }},</p>"
           "<p>Grazie per aver scelto {{ company.name }}. Siamo qui per lei.</p>"),
}  # fmt: skip
_BIRTHDAY = {
    "pt": "Parabéns, {{ party.first_name | default: 'cliente' }}! A {{ company.name }} deseja-lhe"
    " um feliz aniversário.",
    "en": "Happy birthday, {{ party.first_name | default: 'friend' }}! Best wishes from"
    " {{ company.name }}.",
    "es": "¡Feliz cumpleaños, {{ party.first_name | default: 'cliente' }}! Con cariño,"
    " {{ company.name }}.",
    "it": "Buon compleanno, {{ party.first_name | default: 'cliente' }}! Auguri da"
    " {{ company.name }}.",
}


def add_templates(marketer: User) -> int:
    """Two templates in four languages; returns how many were made."""
    welcome = [
        {"language": tag, "subject": subject, "body": body}
        for tag, (subject, body) in _WELCOME.items()
    ]
    birthday = [{"language": tag, "body": body} for tag, body in _BIRTHDAY.items()]
    for name, channel, purpose, variants in (
        ("Welcome", "email", "marketing", welcome),
        ("Birthday greeting", "sms", "greetings", birthday),
    ):
        data = TemplateCreate.model_validate(
            {"name": name, "channel": channel, "purpose": purpose, "default_language": "en",
             "variants": variants}
        )  # fmt: skip
        create_template(data, by=marketer)
    return 2
