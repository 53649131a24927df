"""The suspension and exclusion register (issue 20, docs/suspensions.md).

A suspension (exclusion from work), a restriction of duties or a temporary
redeployment is the heaviest thing a trust does to someone before anything
is proven, and the one NHS England's 2019 letter on disciplinary processes
singles out: it must be decided by someone senior and independent, kept
under regular review and lifted as soon as it is no longer needed. One row
per measure, with its review history; at most one active (not lifted)
measure per case, which the database enforces.

``review_due_on`` is the next review's date while the measure stands (null
once lifted); ``next_notice_on`` is the date the next reminder or escalation
about that review fires, so the sweep (``notifications.services.
suspensions``) reads only what is due through an index and forgets a
measure once its last notice has gone or it is lifted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned

# A measure's reason once its case file is destroyed (records.retention): the
# column must hold something (``suspension_has_reason``), never the reason.
DESTROYED_REASON = "Destroyed under the retention schedule."


class SuspensionKind(models.TextChoices):
    SUSPENSION = "suspension", "Suspension (exclusion from work)"
    RESTRICTION = "restriction", "Restriction of duties"
    REDEPLOYMENT = "redeployment", "Temporary redeployment"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue"
    LIFT = "lift", "Lift"


class Suspension(TrustOwned):
    """One measure on one case, from the day it started until it is lifted.

    ``decided_by`` is the decision-maker who decided it (never the referring
    manager); ``recorded_by`` the HR adviser who put it on the register.
    ``review_every`` is the trust's interval in working days when it was
    recorded, kept so a later change of policy does not move its reviews.
    """

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="suspensions")
    kind = models.CharField(max_length=16, choices=SuspensionKind.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    started_on = models.DateField()
    review_every = models.PositiveSmallIntegerField()
    review_due_on = models.DateField(null=True, blank=True)
    # The reviews' notices (reminder, HR lead, decision-makers): the next
    # one's date, null when none is left to send.
    next_notice_on = models.DateField(null=True, blank=True)
    lifted_on = models.DateField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(
                fields=["review_due_on", "id"],
                name="suspension_review_due",
                condition=models.Q(lifted_on__isnull=True),
            ),
            models.Index(
                fields=["next_notice_on", "id"],
                name="suspension_notice_due",
                condition=models.Q(lifted_on__isnull=True, next_notice_on__isnull=False),
            ),
            models.Index(fields=["-started_on", "-id"], name="suspension_register"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_on__isnull=True),
                name="suspension_one_active_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True)
                | models.Q(lifted_on__gte=models.F("started_on")),
                name="suspension_lifted_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True, review_due_on__isnull=False)
                | models.Q(lifted_on__isnull=False, review_due_on__isnull=True),
                name="suspension_review_due_while_active",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="suspension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"

    @property
    def active(self) -> bool:
        return self.lifted_on is None


class SuspensionReview(TrustOwned):
    """A review of a measure: append-only (the model refuses a change and so
    do the database's triggers). ``next_due_on`` is the next review's date
    when the decision was to continue."""

    suspension = models.ForeignKey(Suspension, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=ReviewDecision.choices)
    reason = models.TextField()
    next_due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        indexes = [
            models.Index(
                fields=["suspension", "-reviewed_on", "-id"], name="suspension_review_list"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="continue", next_due_on__isnull=False)
                | models.Q(decision="lift", next_due_on__isnull=True),
                name="suspension_review_next_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of suspension {self.suspension_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A suspension review is never changed; record another review.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A suspension review is removed only with its whole case (retention).")
