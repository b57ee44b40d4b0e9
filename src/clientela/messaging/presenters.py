"""Templates and previews as the API, the pages and the command line show them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.messaging.models import Template
from clientela.messaging.services import VARIABLES, Preview

REASONS = {
    "exact": _("the customer's language"),
    "language": _("the same language, another region"),
    "default": _("the template's default language"),
}


def template_out(template: Template) -> dict[str, Any]:
    """The template with its variants; needs the variants prefetched."""
    variants = list(template.variants.all())
    return {
        "id": template.pk,
        "name": template.name,
        "channel": template.channel,
        "purpose": template.purpose,
        "default_language": template.default_language,
        "languages": [v.language for v in variants],
        "variants": [
            {
                "language": v.language,
                "subject": v.subject,
                "body": v.body,
                "text_body": v.text_body,
                "updated_at": v.updated_at,
            }
            for v in variants
        ],
        "created_at": template.created_at,
        "updated_at": template.updated_at,
        "archived_at": template.archived_at,
    }


def preview_out(preview: Preview) -> dict[str, Any]:
    rendered = preview.rendered
    return {
        "party_id": preview.party_id,
        "party_name": preview.party_name,
        "language": rendered.language if rendered else "",
        "reason": rendered.reason if rendered else "",
        "subject": rendered.subject if rendered else "",
        "html": rendered.html if rendered else "",
        "text": rendered.text if rendered else "",
        "problem": preview.problem,
    }


def reason_text(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def variables_out() -> list[dict[str, str]]:
    return [{"path": v.path, "label": str(v.label), "example": v.example} for v in VARIABLES]
