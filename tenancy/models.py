"""Trusts, and what every row of a trust's data carries (ADR 0020, docs/tenancy.md)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import RegexValidator
from django.db import models

from .context import current_trust_id, default_trust_id


class Trust(models.Model):
    """An NHS trust served by this deployment: a tenant."""

    # The trust's NHS organisation (ODS) code, such as RAL: short, upper case.
    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", "Use capital letters, digits and -.")],
    )
    name = models.CharField(max_length=200)
    # A host name of its own (hr.example-trust.nhs.uk): requests to it act for
    # this trust only. Blank: people choose among their trusts.
    host = models.CharField(max_length=253, blank=True)
    # Whether its suppressed figures go into the regional benchmark (regional/).
    shares_with_region = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"], condition=~models.Q(host=""), name="trust_host_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TrustManager(models.Manager[Any]):
    """Reads the current trust's rows only.

    On PostgreSQL the row-level security policy is what guarantees it; the
    filter is here so that plans use the trust-first indexes, and so that the
    SQLite demo (no row-level security) keeps its trusts apart too. Outside
    any trust it filters nothing: PostgreSQL then shows nothing anyway."""

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        trust_id = current_trust_id()
        return queryset if trust_id is None else queryset.filter(trust_id=trust_id)


class TrustOwned(models.Model):
    """A row of one trust's data. Its table carries the row-level security
    policy (``tenancy.rls``, added by the migration that adds the column)."""

    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, related_name="+", default=default_trust_id, editable=False
    )

    objects: ClassVar[Any] = TrustManager()

    class Meta:
        abstract = True
