"""Duplicate pairs as the pages show them: reasons in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clientela.dedupe.models import DuplicateCandidate


def reason_labels(reasons: list[dict[str, Any]]) -> list[str]:
    """'similar name 92', 'same phone', … in the active language."""
    labels = {
        "same_name": _("same name"),
        "swapped_names": _("swapped first and last names"),
        "same_email": _("same e-mail"),
        "same_phone": _("same phone"),
        "same_email_local": _("same e-mail user name"),
        "same_email_domain": _("same e-mail domain"),
        "same_organization": _("same organization"),
        "same_city": _("same city"),
        "same_birthday": _("same birthday"),
        "different_birthday": _("different birthday"),
    }
    result = []
    for reason in reasons:
        code = reason.get("code", "")
        if code == "similar_name":
            result.append(_("similar name %(score)s") % {"score": reason.get("score", "")})
        else:
            result.append(labels.get(code, code))
    return result


def pair_row(pair: DuplicateCandidate) -> dict[str, Any]:
    return {"pair": pair, "reasons": reason_labels(pair.reasons)}
