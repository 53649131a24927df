"""Who may act for which trust, and in which roles (ADR 0020, docs/tenancy.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned

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


class Delegation(TrustOwned):
    """While ``person`` is away (``starts_on`` to ``ends_on``, both days
    included), ``delegate`` sees and acts on their work, and their reminders
    go to the delegate (docs/case-owners.md).

    A trust's row: who covers whom is that trust's business, and a person
    away from one trust may still work in another. Never followed in a
    chain: the delegate's own delegation does not pass this one on.
    ``ended_at``: ended early (back sooner, or set in error); the row stays,
    as the record of who could act for whom and when."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_held"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="delegation_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("delegate")), name="delegation_not_to_self"
            ),
        ]
        indexes = [
            # The one read on every request of a delegate: whose work is mine today.
            models.Index(fields=["trust", "delegate", "ends_on"], name="delegation_delegate"),
            models.Index(fields=["trust", "person", "ends_on"], name="delegation_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} -> {self.delegate_id} {self.starts_on}..{self.ends_on}"
