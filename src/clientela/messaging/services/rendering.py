"""Rendering a template for one party: the variant in their language, their values, the
channel's output. `render_for` is what the outbox and campaigns call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse

from clientela.accounts.services import company_settings
from clientela.consent.models import CONSENT_PURPOSES, TokenPurpose
from clientela.consent.services.preferences import party_zone
from clientela.consent.services.tokens import absolute_url, issue_token, preference_centre_url
from clientela.messaging.models import Channel, Template, TemplateVariant
from clientela.messaging.services import engine, output
from clientela.messaging.services.catalogue import Links, party_values
from clientela.messaging.services.languages import (
    choose_language,
    formatting_language,
    wanted_language,
)
from clientela.parties.models import Party


@dataclass(frozen=True)
class Rendered:
    """One message as it would leave: `html` is empty outside e-mail; `language` is the
    variant's tag and `reason` why it was chosen ("exact", "language", "default")."""

    subject: str
    html: str
    text: str
    language: str
    reason: str


def real_links(party: Party, purpose: str) -> Links:
    """Signed links stored for the party (consent's tokens), made only when a message needs one."""

    def unsubscribe() -> str:
        if purpose not in CONSENT_PURPOSES:  # a transactional message has no list to leave
            return preference_centre_url(party)
        raw = issue_token(party, purpose=TokenPurpose.UNSUBSCRIBE, list_purpose=purpose)
        return absolute_url(reverse("consent:unsubscribe", args=[raw]))

    return Links(preferences=lambda: preference_centre_url(party), unsubscribe=unsubscribe)


def preview_links() -> Links:
    """Links that look like the real ones and lead nowhere: a preview stores no token."""
    return Links(
        preferences=lambda: absolute_url(reverse("consent:preference_centre", args=["preview"])),
        unsubscribe=lambda: absolute_url(reverse("consent:unsubscribe", args=["preview"])),
    )


def choose_variant(template: Template, party: Party) -> tuple[TemplateVariant, str]:
    variants = {v.language: v for v in template.variants.all()}
    choice = choose_language(wanted_language(party), variants, template.default_language)
    return variants[choice.language], choice.reason


def render_for(
    template: Template, party: Party, *, at: datetime | None = None, preview: bool = False
) -> Rendered:
    """The message this template makes for this party, in the variant of their language.

    Raises Invalid (422) when the template goes past a limit for this party's values.
    With `preview`, links lead nowhere and no token is stored.
    """
    variant, reason = choose_variant(template, party)
    language = formatting_language(variant.language)
    links = preview_links() if preview else real_links(party, template.purpose)
    values = party_values(party, language=language, zone=party_zone(party), links=links, at=at)
    if template.channel != Channel.EMAIL:
        text = engine.render(engine.parse(variant.body, field="body", html=False), values,
                             field="body")  # fmt: skip
        return Rendered("", "", text.strip(), variant.language, reason)
    subject = _render_text(variant.subject, values, "subject")
    body = engine.render(engine.parse(variant.body, field="body", html=True), values, field="body")
    text = _render_text(variant.text_body, values, "text_body") if variant.text_body else ""
    html = output.finish_html(body)
    text = text or output.text_from_html(html)
    if template.purpose in output.FOOTED:
        html, text = _with_footer(html, text, values["links"], language)
    return Rendered(output.one_line(subject), html, text, variant.language, reason)


def _render_text(source: str, values: dict[str, Any], field: str) -> str:
    return engine.render(engine.parse(source, field=field, html=False), values, field=field)


def _with_footer(html: str, text: str, links: Any, language: str) -> tuple[str, str]:
    company = company_settings()
    parts = {
        "company": company.name,
        "address": company.postal_lines,
        "unsubscribe": links["unsubscribe"],
        "preferences": links["preferences"],
        "language": language,
    }
    return html + output.footer_html(**parts), text + "\n\n" + output.footer_text(**parts)
