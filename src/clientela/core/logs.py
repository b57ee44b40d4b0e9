"""How the server log tells of requests: a refusal is one line, a fault keeps its traceback."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Drop the traceback of a refused request (a 4xx answer: 403, 404, 429…).

    Django logs a PermissionDenied or a SuspiciousOperation with its traceback; a refusal is
    the product working as meant, and a traceback per refused request buries the real faults.
    The line keeps what was refused and where ("Forbidden (Permission denied): /admin/").
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
