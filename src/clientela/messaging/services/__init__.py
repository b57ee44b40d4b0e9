"""Messaging's use cases. Templates: the variable catalogue, the sandboxed engine, language
resolution, checking at save, the e-mail output and `render_for`, which the outbox and
campaigns call."""

from clientela.messaging.services.catalogue import VARIABLES, Variable
from clientela.messaging.services.languages import Choice, choose_language
from clientela.messaging.services.preview import Preview, preview_for_party, preview_for_segment
from clientela.messaging.services.rendering import Rendered, render_for
from clientela.messaging.services.templates import (
    archive_template,
    create_template,
    update_template,
)

__all__ = [
    "VARIABLES",
    "Choice",
    "Preview",
    "Rendered",
    "Variable",
    "archive_template",
    "choose_language",
    "create_template",
    "preview_for_party",
    "preview_for_segment",
    "render_for",
    "update_template",
]
