"""Who may act for which trust, and in which roles (ADR 0020, docs/tenancy.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .roles import Role


class Membership(models.Model):
    """``user`` holds ``role`` in ``trust``.

    A person may hold roles in several trusts (bank staff, shared services)
    and acts for one at a time. Not a tenant table: it is read before a trust
    is entered, to find the trusts a person may choose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    # Not ``trust_id``: that column name marks a table of one trust's rows,
    # which must have row-level security (tenancy.checks); this one is read
    # across trusts, before any is entered.
    trust = models.ForeignKey(
        "tenancy.Trust",
        on_delete=models.CASCADE,
        related_name="memberships",
        db_column="for_trust_id",
    )
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trust", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trust", "role"], name="membership_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["trust", "role"], name="membership_trust_role")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} in trust {self.trust_id}"
