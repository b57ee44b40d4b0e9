"""The one refusal every check of this app shares: a value outside its list of choices."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError


def not_one_of(field: str, value: str, allowed: Iterable[str], *, code: str) -> FieldError:
    """The error of a value outside a list, naming the list."""
    return FieldError(
        field,
        value,
        _("must be one of %(allowed)s"),
        code=code,
        params={"allowed": ", ".join(allowed)},
    )
