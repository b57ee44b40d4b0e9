"""The template form of the pages: what was typed, turned into the API's schemas.

The form posts the template's fields and one block of fields per variant (`v-0-language`,
`v-0-subject`, `v-0-body`, `v-0-text_body`, …); a block left empty is no variant. Errors are
put back next to the field they name, in its variant's block.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import QueryDict
from pydantic import ValidationError

from clientela.core.errors import DomainError
from clientela.core.pages import invalid_messages, pydantic_messages
from clientela.messaging.models import Template

TEMPLATE_FIELDS = ("name", "channel", "purpose", "default_language")
VARIANT_FIELDS = ("language", "subject", "body", "text_body")
MAX_BLOCKS = 30


def posted_template(data: QueryDict) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The template's fields and the non-empty variant blocks, as typed."""
    values = {name: data.get(name, "").strip() for name in TEMPLATE_FIELDS}
    blocks = []
    for index in range(MAX_BLOCKS):
        block = {name: data.get(f"v-{index}-{name}", "") for name in VARIANT_FIELDS}
        block["language"] = block["language"].strip()
        if any(v.strip() for v in block.values()):
            blocks.append(block)
    return values, blocks


def template_input(values: dict[str, str], blocks: list[dict[str, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    data["name"] = values.get("name", "")
    data["variants"] = blocks
    return data


def current_values(template: Template) -> tuple[dict[str, str], list[dict[str, str]]]:
    values = {name: str(getattr(template, name)) for name in TEMPLATE_FIELDS}
    blocks = [{name: getattr(v, name) for name in VARIANT_FIELDS} for v in template.variants.all()]
    return values, blocks


def form_errors(
    exc: ValidationError | DomainError,
) -> tuple[dict[str, list[str]], dict[int, dict[str, list[str]]]]:
    """Errors by template field, and by variant block and field."""
    pairs = pydantic_messages(exc) if isinstance(exc, ValidationError) else invalid_messages(exc)
    fields: dict[str, list[str]] = defaultdict(list)
    variants: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for error, message in pairs:
        parts = error.field.split(".")
        if parts[0] == "variants" and len(parts) >= 3 and parts[1].isdigit():
            variants[int(parts[1])][parts[2]].append(message)
        elif parts[0] == "variants" and len(parts) >= 2 and parts[1].isdigit():
            variants[int(parts[1])]["body"].append(message)
        else:
            fields[parts[0] if parts[0] in TEMPLATE_FIELDS else "general"].append(message)
    return dict(fields), {k: dict(v) for k, v in variants.items()}


def variant_blocks(
    blocks: list[dict[str, str]], errors: dict[int, dict[str, list[str]]], *, spare: bool
) -> list[dict[str, Any]]:
    """The blocks the form shows, with their errors, and an empty one to add a language."""
    shown = [
        {"index": i, "values": block, "errors": errors.get(i, {})}
        for i, block in enumerate(blocks[:MAX_BLOCKS])
    ]
    if spare and len(shown) < MAX_BLOCKS:
        empty = dict.fromkeys(VARIANT_FIELDS, "")
        shown.append({"index": len(shown), "values": empty, "errors": {}, "spare": True})
    return shown
