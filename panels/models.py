"""Panels convened on a case, and the reasoned decisions they record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from workflow.models import Outcome

PANEL_OUTCOMES = [
    Outcome.FORMAL_INVESTIGATION,
    Outcome.INFORMAL_ACTION,
    Outcome.MEDIATION,
    Outcome.OTHER_POLICY,
    Outcome.OCCUPATIONAL_HEALTH,
    Outcome.EXTERNAL_REFERRAL,
    Outcome.NO_FURTHER_ACTION,
]


class Panel(models.Model):
    """One convening of a Fair Treatment Panel on a case. The latest is current."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="panels")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="PanelMembership", related_name="panels"
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    convened_at = models.DateTimeField()

    class Meta:
        ordering = ["convened_at", "id"]
        indexes = [models.Index(fields=["case", "convened_at"], name="panel_case")]
        permissions = [("sit_on_panel", "Can sit on a Fair Treatment Panel")]

    def __str__(self) -> str:
        return f"Panel {self.pk} on case {self.case_id}"


class PanelMembership(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_once"),
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} on panel {self.panel_id}"


class PanelDecision(models.Model):
    """A panel's reasoned decision. Append-only, like the sign-off."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="decisions")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=32, choices=[(o.value, o.label) for o in PANEL_OUTCOMES])
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["case", "decided_at"], name="decision_case")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in PANEL_OUTCOMES]),
                name="decision_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on case {self.case_id}"
