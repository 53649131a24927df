"""The formal process after sign-off (issue 20; docs/formal-process.md, ADR 0030).

The case's flow ends when the sign-off approves a formal investigation: that
is WRES indicator 3's counting event (``Case.formal_commissioned_at``) and the
case's stage stays ``formal`` for good. What the trust's disciplinary policy
does next (an investigator, their outcome, a hearing, a sanction, an appeal)
is tracked here, beside the flow, one ``FormalProcess`` per case. The
database refuses a process for a case that is not in ``formal`` with its
commission recorded (migration 0001's trigger), refuses a sanction unless the
investigation's outcome was a hearing, and an appeal unless a sanction was
given: the order of the Acas Code of Practice is a property of the row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned


class InvestigationOutcome(models.TextChoices):
    NO_CASE = "no_case", "No case to answer"
    INFORMAL = "informal", "Informal action"
    HEARING = "hearing", "Disciplinary hearing"


class Sanction(models.TextChoices):
    NONE = "none", "No sanction"
    FIRST_WRITTEN = "first_written", "First written warning"
    FINAL_WRITTEN = "final_written", "Final written warning"
    DISMISSAL = "dismissal", "Dismissal"
    OTHER = "other", "Other action"


class AppealOutcome(models.TextChoices):
    NOT_UPHELD = "not_upheld", "Not upheld"
    VARIED = "varied", "Upheld in part: sanction varied"
    UPHELD = "upheld", "Upheld: sanction removed"


# The outcomes that end the process at once (no hearing follows).
CONCLUDING_OUTCOMES = frozenset({InvestigationOutcome.NO_CASE, InvestigationOutcome.INFORMAL})


class FormalProcess(TrustOwned):
    """One case's formal process, from the sign-off to its conclusion.

    A single row that fills in as the process goes (each column written once,
    by its own action, in order); the audit log keeps who did what and when.
    The times each step took live in ``workflow.CaseStep`` spells
    (investigate, hearing, appeal), so the deadline notices and the
    governance pack read them like every other step.
    """

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="formal_process"
    )
    opened_at = models.DateTimeField()

    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    investigator_named_at = models.DateTimeField(null=True, blank=True)
    investigation_outcome = models.CharField(
        max_length=16, choices=InvestigationOutcome.choices, blank=True
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.TextField(blank=True)

    hearing_on = models.DateTimeField(null=True, blank=True)
    hearing_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hearing_companion_name = models.CharField(max_length=200, blank=True)
    hearing_held_on = models.DateField(null=True, blank=True)
    sanction = models.CharField(max_length=16, choices=Sanction.choices, blank=True)
    sanction_detail = models.TextField(blank=True)
    sanction_recorded_at = models.DateTimeField(null=True, blank=True)

    appeal_lodged_on = models.DateField(null=True, blank=True)
    appeal_grounds = models.TextField(blank=True)
    appeal_hearer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal_outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)

    concluded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        verbose_name = "formal process"
        verbose_name_plural = "formal processes"
        indexes = [
            # The open processes (reports, the formal card's lists).
            models.Index(
                fields=["opened_at"],
                name="formal_open",
                condition=models.Q(concluded_at__isnull=True),
            ),
        ]
        constraints = [
            # A sanction follows a disciplinary hearing, never an investigation alone.
            models.CheckConstraint(
                condition=models.Q(sanction="")
                | models.Q(investigation_outcome=InvestigationOutcome.HEARING),
                name="formal_sanction_after_hearing",
            ),
            models.CheckConstraint(
                condition=models.Q(sanction="", sanction_recorded_at__isnull=True)
                | (~models.Q(sanction="") & models.Q(sanction_recorded_at__isnull=False)),
                name="formal_sanction_recorded_at",
            ),
            models.CheckConstraint(
                condition=models.Q(investigation_outcome="", outcome_recorded_at__isnull=True)
                | (
                    ~models.Q(investigation_outcome="")
                    & models.Q(outcome_recorded_at__isnull=False)
                ),
                name="formal_outcome_recorded_at",
            ),
            # An appeal is against a disciplinary decision (Acas Code para 26):
            # a sanction the hearing gave.
            models.CheckConstraint(
                condition=models.Q(appeal_lodged_on__isnull=True)
                | (~models.Q(sanction="") & ~models.Q(sanction=Sanction.NONE)),
                name="formal_appeal_after_sanction",
            ),
            models.CheckConstraint(
                condition=models.Q(appeal_outcome="", appeal_decided_at__isnull=True)
                | (
                    ~models.Q(appeal_outcome="")
                    & models.Q(appeal_decided_at__isnull=False, appeal_lodged_on__isnull=False)
                ),
                name="formal_appeal_outcome_after_lodged",
            ),
        ]

    def __str__(self) -> str:
        return f"Formal process on case {self.case_id}"

    @property
    def is_concluded(self) -> bool:
        return self.concluded_at is not None
