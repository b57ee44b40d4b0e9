"""The base of Clientela's commands: domain errors become a clear message and exit status 1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clientela.core.errors import DomainError


class ClientelaCommand(BaseCommand):
    """A management command whose service errors end it with their message, not a traceback."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
