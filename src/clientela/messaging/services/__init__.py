"""Use cases of messaging, by noun; the names callers need are re-exported here.

Templates: `catalogue` (the variables), `engine` (the sandbox), `languages`, `checking` (at
save), `output` and `rendering` (`render_for`, which the outbox and campaigns call), `preview`.
The outbox: `outbox` queues messages (one row each, in the caller's transaction); `delivery` is
the worker's side (claim, gate, send, result); `channels` is the seam every sender implements;
`email` is the e-mail channel; `history` puts sent messages on the timeline. Returned mail:
`reports` and `plain_reports` read it, `bounces` acts on it, `mailboxes` fetches it.
"""

from clientela.messaging.services.catalogue import VARIABLES, Variable
from clientela.messaging.services.channels import (
    MemorySender,
    Sender,
    SendError,
    SendResult,
    register_sender,
)
from clientela.messaging.services.delivery import Tally, drain
from clientela.messaging.services.languages import Choice, choose_language
from clientela.messaging.services.outbox import Content, enqueue, enqueue_many
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
    "Content",
    "MemorySender",
    "Preview",
    "Rendered",
    "SendError",
    "SendResult",
    "Sender",
    "Tally",
    "Variable",
    "archive_template",
    "choose_language",
    "create_template",
    "drain",
    "enqueue",
    "enqueue_many",
    "preview_for_party",
    "preview_for_segment",
    "register_sender",
    "render_for",
    "update_template",
]
