"""Small template helpers of the staff web app."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context, TemplateSyntaxError
from django.utils.safestring import SafeString

from clientela.web.presenters import ShownPanel

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """mapping[key], or "" when there is none: for keys built at render time."""
    if hasattr(mapping, "get"):
        return mapping.get(key, "")
    return ""


@register.filter
def initials(name: Any) -> str:
    """Up to two initials of a name, for avatars."""
    words = [w for w in str(name).split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def is_in(value: Any, choices: Any) -> bool:
    """True when str(value) is among the strings of `choices` (a list of selected values)."""
    return str(value) in {str(c) for c in (choices or [])}


@register.simple_tag(takes_context=True)
def party_panel(context: Context, panel: ShownPanel) -> SafeString:
    """One panel of the customer page: its template, with the page's context and its own.

    Rendered like `{% include %}`, in the page's context (no second pass of the context
    processors), so a panel costs no more than the part of one big template it replaces.
    """
    template = context.template.engine.get_template(panel.template) if context.template else None
    if template is None:
        raise TemplateSyntaxError("party_panel is used inside a template only")
    with context.push(panel.context):
        return template.render(context)
