"""Self-assessment and action plans (issue 17 part 4, docs/assurance.md).

Two question sets the trust edits: the WRES indicator 3 organisation
self-assessment and the team inclusion checklist. A question keeps its
identity (``Question``) while its wording changes: every wording is a
``QuestionVersion``, numbered 1, 2, ... and never changed once written (a
trigger refuses it). An ``Answer`` (one ICSU, one NHS quarter) points at the
version it answered, so an old answer is always shown with the words it
answered. Evidence is text, an uploaded ``EvidenceDocument`` (kept in the
database, behind the trust's row-level security: ADR 0021), or both.

``Action`` is one line of an action plan: linked to an ICSU, an indicator
and/or an early-warning alert, owned by a login of the trust, due on a date,
reported to one committee of the governance chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reports.pack import GOVERNANCE_CHAIN
from tenancy.models import TrustOwned

TEXT_MAX = 1000
GUIDANCE_MAX = 2000
EVIDENCE_MAX = 4000
TITLE_MAX = 200
SAID_MAX = 2000
ALERT_KEY_MAX = 32


class QuestionSet(models.TextChoices):
    WRES3 = "wres3", "WRES indicator 3 organisation self-assessment"
    INCLUSION = "inclusion", "Team inclusion checklist"


class Rating(models.TextChoices):
    MET = "met", "Met"
    PARTLY = "partly", "Partly met"
    NOT_MET = "not_met", "Not met"


class Question(TrustOwned):
    """A question's identity: its set, its place in the set, and whether it
    is retired. Its words are its versions; the newest is the current one."""

    question_set = models.CharField(max_length=16, choices=QuestionSet.choices)
    position = models.PositiveSmallIntegerField()
    # Retired: not asked in quarters that start after this day (its answers stay).
    retired_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["question_set", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question_set__in=[s.value for s in QuestionSet]),
                name="assurance_question_set_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "question_set", "position"], name="assurance_q_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_question_set_display()} question {self.position}"


class QuestionVersion(TrustOwned):
    """One wording of a question. Written once, never changed: the answers
    given to it keep pointing here."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=TEXT_MAX)
    guidance = models.TextField(max_length=GUIDANCE_MAX, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="assurance_version_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="assurance_version_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.question_id} version {self.number}"


class EvidenceDocument(TrustOwned):
    """An uploaded piece of evidence: small, of a type checked by its content
    (``assurance.documents``), stored in the database (ADR 0021)."""

    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Evidence document {self.pk} ({self.content_type}, {self.size} bytes)"


class Answer(TrustOwned):
    """One ICSU's answer to one question in one NHS quarter (Q1 = April to
    June of the year starting 1 April ``year``)."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="answers")
    org_unit = models.ForeignKey("staff.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=8, choices=Rating.choices)
    evidence = models.TextField(max_length=EVIDENCE_MAX, blank=True)
    document = models.ForeignKey(
        EvidenceDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year", "quarter", "question", "org_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "question", "org_unit", "year", "quarter"],
                name="assurance_answer_once",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="assurance_answer_quarter_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__in=[r.value for r in Rating]),
                name="assurance_answer_rating_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "year", "quarter"], name="assurance_answer_quarter"),
        ]

    def __str__(self) -> str:
        return f"Answer {self.question_id}/{self.org_unit_id} {self.year} Q{self.quarter}"


class Indicator(models.TextChoices):
    WRES3 = "wres3", "WRES indicator 3"
    FTSU = "ftsu", "Freedom to Speak Up"
    QUESTION = "question", "Self-assessment question"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


# Still to do: an action in one of these, past its due date, is overdue.
ACTIVE_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
COMMITTEES = [(name, name) for name in GOVERNANCE_CHAIN]
DEFAULT_COMMITTEE = "People Committee"
ALERT_LEVELS = [("icsu", "ICSU"), ("department", "Department"), ("manager", "Referring manager")]


class Action(TrustOwned):
    """One action of a plan, with "You said" (what staff, a network or a
    committee raised) and "We did" (what was done about it)."""

    title = models.CharField(max_length=TITLE_MAX)
    org_unit = models.ForeignKey(
        "staff.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.CharField(max_length=16, choices=Indicator.choices, blank=True)
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    # An early-warning row (reports.early_warning): its level and key, as
    # text. Not a foreign key: the early warning is computed, not stored.
    alert_level = models.CharField(max_length=16, choices=ALERT_LEVELS, blank=True)
    alert_key = models.CharField(max_length=ALERT_KEY_MAX, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    you_said = models.TextField(max_length=SAID_MAX, blank=True)
    we_did = models.TextField(max_length=SAID_MAX, blank=True)
    committee = models.CharField(max_length=64, choices=COMMITTEES, default=DEFAULT_COMMITTEE)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ActionStatus]),
                name="assurance_action_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(committee__in=list(GOVERNANCE_CHAIN)),
                name="assurance_action_committee_valid",
            ),
            models.CheckConstraint(
                condition=(models.Q(alert_level="") & models.Q(alert_key=""))
                | (~models.Q(alert_level="") & ~models.Q(alert_key="")),
                name="assurance_action_alert_whole",
            ),
            models.CheckConstraint(
                condition=~models.Q(org_unit=None)
                | ~models.Q(indicator="")
                | ~models.Q(alert_level=""),
                name="assurance_action_linked",
            ),
        ]
        indexes = [
            models.Index(fields=["trust", "due_on", "id"], name="assurance_action_due"),
            models.Index(
                fields=["trust", "owner", "status", "due_on"], name="assurance_action_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}: {self.title}"
