"""Small template helpers of the staff web app."""

from __future__ import annotations

from typing import Any

from django import template

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
