"""The mark that tells `clientela demo` a database is a demo it may wipe and rebuild."""

from __future__ import annotations

from django.db import models


class DemoDatabase(models.Model):
    """Present only in a database built by `clientela demo`; real databases never have it."""

    built_at = models.DateTimeField(auto_now_add=True)
    seed = models.BigIntegerField()
    customers = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"demo built {self.built_at:%Y-%m-%d %H:%M} (seed {self.seed})"
