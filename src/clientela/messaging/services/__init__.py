"""Use cases of messaging, by noun; the names callers need are re-exported here.

`outbox` queues messages (one row each, in the caller's transaction); `delivery` is the
worker's side (claim, gate, send, result); `channels` is the seam every sender implements;
`email` is the e-mail channel; `history` puts sent messages on the timeline.
"""

from clientela.messaging.services.channels import (
    MemorySender,
    Sender,
    SendError,
    SendResult,
    register_sender,
)
from clientela.messaging.services.delivery import Tally, drain
from clientela.messaging.services.outbox import Content, enqueue, enqueue_many

__all__ = [
    "Content",
    "MemorySender",
    "SendError",
    "SendResult",
    "Sender",
    "Tally",
    "drain",
    "enqueue",
    "enqueue_many",
    "register_sender",
]
