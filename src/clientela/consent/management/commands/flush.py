"""Django's `flush`, telling the consent proof triggers that the whole database is emptied.

The demo's rebuild and the test suite (after each transactional test) empty every table with
`flush`. On SQLite it deletes every row, which the triggers refuse for consent records and
wordings unless the connection says it is wiping everything; on PostgreSQL it truncates, which
they refuse likewise. Nothing else changes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from clientela.consent.services.proof import wiping


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with wiping(options["database"]):
            super().handle(**options)
