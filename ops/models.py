"""Heartbeats: when a periodic process last showed it was alive."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """One row per process that beats (``beat``): the time of its last beat."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
