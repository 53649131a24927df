"""The referral case: a real model with columns, linked to its viewflow process.

``stage`` is a column kept in step with the flow by the services, in the same
transaction as the flow transition, so lists and reports never have to ask
viewflow's task table where a case is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from viewflow.workflow.models import Process

from staff.ethnicity import EthnicCategory, WresGroup, wres_group
from staff.models import Band
from tenancy.models import TrustOwned

from .just_culture import JustCultureAnswers, JustCultureOutcome


class Stage(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    INFORMAL = "informal", "Informal resolution"
    PANEL = "panel", "Fair Treatment Panel"
    SIGNOFF = "signoff", "Awaiting sign-off"
    FORMAL = "formal", "Formal investigation"
    CLOSED = "closed", "Closed"

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.SUBMITTED, cls.INFORMAL, cls.PANEL, cls.SIGNOFF]


class Outcome(models.TextChoices):
    RESOLVED_INFORMALLY = "resolved_informally", "Resolved informally"
    REDIRECTED = "redirected", "Redirected to another policy"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # Panel outcomes:
    FORMAL_INVESTIGATION = "formal_investigation", "Formal investigation"
    INFORMAL_ACTION = "informal_action", "Informal action"
    MEDIATION = "mediation", "Mediation"
    OTHER_POLICY = "other_policy", "Another policy"
    OCCUPATIONAL_HEALTH = "occupational_health", "Occupational health / wellbeing"
    EXTERNAL_REFERRAL = "external_referral", "External referral"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ConcernCategory(models.TextChoices):
    CONDUCT = "conduct", "Conduct or behaviour"
    CLINICAL_PRACTICE = "clinical_practice", "Clinical practice"
    PROFESSIONAL_STANDARDS = "professional_standards", "Professional standards"
    ATTENDANCE = "attendance", "Attendance or timekeeping"
    INFORMATION_GOVERNANCE = "information_governance", "Information governance"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and safety"
    OTHER = "other", "Other"


class TriageRoute(models.TextChoices):
    INFORMAL = "informal", "Informal resolution"
    PANEL = "panel", "Straight to the Fair Treatment Panel"
    REDIRECT = "redirect", "Redirect to another policy"
    RETURN = "return", "Return to the manager for more information"


class RedirectPolicy(models.TextChoices):
    CAPABILITY = "capability", "Capability"
    SICKNESS_ABSENCE = "sickness_absence", "Sickness absence"
    GRIEVANCE = "grievance", "Grievance"
    SAFEGUARDING = "safeguarding", "Safeguarding"


class Case(TrustOwned):
    process = models.OneToOneField(Process, on_delete=models.PROTECT, related_name="case")
    reference = models.CharField(max_length=32)
    referring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referred_cases"
    )
    # The named HR case owner (docs/case-owners.md): set at triage, changed
    # only by an HR lead (workflow.services.owner). Null on cases triaged
    # before owners existed, and until triage: "Not assigned".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )

    # The employee's named wellbeing contact (docs/wellbeing.md): recorded at
    # triage, never the referring manager; told when a check-in is due.
    wellbeing_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wellbeing_cases",
    )

    # The employee as they were at referral time.
    # Null only on a destroyed case file (records.retention): the person is gone.
    employee = models.ForeignKey(
        "staff.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employee_staff_number = models.CharField(max_length=32)
    employee_name = models.CharField(max_length=200)
    employee_job_title = models.CharField(max_length=200)
    employee_band = models.CharField(max_length=2, choices=Band.choices, blank=True)
    employee_org_unit = models.ForeignKey(
        "staff.OrgUnit", on_delete=models.PROTECT, related_name="cases"
    )
    employee_line_manager_name = models.CharField(max_length=200, blank=True)
    employee_ethnic_category = models.CharField(
        max_length=1, choices=EthnicCategory.choices, blank=True
    )

    concern_category = models.CharField(max_length=32, choices=ConcernCategory.choices)
    summary = models.TextField()
    # Null only on a destroyed case file (records.retention).
    incident_date = models.DateField(null=True, blank=True)
    informal_steps_tried = models.TextField(blank=True)
    # Why the manager referred the employee again while another referral of
    # theirs was open (the form warns and asks; docs/referrals.md). Blank
    # when there was none. On the case, not only in the audit payload: HR
    # reads it at triage beside the linked cases, and retention blanks it
    # with the rest of the case's text.
    duplicate_reason = models.TextField(blank=True)
    # The referral form's one-time key: a POST sent twice (a double click,
    # Back and submit again) finds the case the first one made instead of
    # making a second. Unique per manager; null for referrals made elsewhere
    # (the API, the demo).
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SUBMITTED)
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)

    # The latest triage, and the informal stage's record.
    triage_route = models.CharField(max_length=16, choices=TriageRoute.choices, blank=True)
    triage_reason = models.TextField(blank=True)
    redirect_policy = models.CharField(max_length=32, choices=RedirectPolicy.choices, blank=True)
    informal_resolved = models.BooleanField(null=True)
    informal_actions = models.TextField(blank=True)
    informal_reason = models.TextField(blank=True)

    submitted_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The WRES indicator 3 counting event: a formal investigation commissioned.
    formal_commissioned_at = models.DateTimeField(null=True, blank=True)
    # When the formal process after sign-off ended (formal/): no case to
    # answer, informal action, or a sanction and any appeal decided. The
    # stage stays ``formal`` (WRES indicator 3 counts entry); this says the
    # case is no longer under way (``under_way``).
    formal_concluded_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every action: lets a client detect that someone acted first.
    version = models.PositiveIntegerField(default=1)

    # Set when the case file is destroyed under the retention schedule
    # (records.retention, docs/retention.md): the row stays as a tombstone,
    # its personal data blanked, keeping what the reports count.
    destroyed_at = models.DateTimeField(null=True, blank=True)
    # The tombstone's WRES group (the ethnic category itself is blanked) and
    # whether it carries its person in WRES indicator 3's distinct count.
    wres_group = models.CharField(max_length=8, choices=WresGroup.choices, blank=True)
    wres_counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["trust", "stage", "-submitted_at"], name="case_stage_submitted"),
            models.Index(fields=["referring_manager", "-submitted_at"], name="case_manager"),
            # "My cases as owner" and the owners page's open-case counts.
            models.Index(fields=["trust", "owner", "stage"], name="case_owner"),
            models.Index(fields=["employee_org_unit", "stage"], name="case_orgunit_stage"),
            models.Index(fields=["formal_commissioned_at"], name="case_formal_at"),
            # The retention review's list (records.retention_selectors): the
            # closed files not yet destroyed, oldest first, however many
            # tombstones came before them.
            models.Index(
                fields=["id"],
                name="case_retention",
                condition=models.Q(destroyed_at__isnull=True, stage__in=["closed", "formal"]),
            ),
            # The case list's and the API's order within a trust (read
            # backwards: newest first), and the reports' year of submissions, which read only
            # the included columns (an index-only scan). docs/performance.md.
            models.Index(
                fields=["trust", "submitted_at", "id"],
                include=[
                    "stage",
                    "outcome",
                    "employee_org_unit",
                    "employee_ethnic_category",
                    # The funnel's "reached the panel" (reports.selectors.funnel_counts).
                    "triage_route",
                    "informal_resolved",
                    # A destroyed case's group (reports.grouping.case_group_expression).
                    "destroyed_at",
                    "wres_group",
                    # The early warning's referrals by manager (reports.early_warning).
                    "referring_manager",
                ],
                name="case_submitted",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["trust", "reference"], name="case_reference_unique"),
            models.UniqueConstraint(
                fields=["referring_manager", "submission_key"],
                condition=models.Q(submission_key__isnull=False),
                name="case_submission_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=[s.value for s in Stage]), name="case_stage_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="formal")
                | models.Q(formal_commissioned_at__isnull=False, outcome="formal_investigation"),
                name="case_formal_has_commission",
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="closed")
                | (models.Q(closed_at__isnull=False) & ~models.Q(outcome="")),
                name="case_closed_has_outcome",
            ),
        ]
        permissions = [
            ("submit_referral", "Can submit a proposed referral"),
            ("triage_case", "Can triage referrals"),
            ("convene_panel", "Can convene a Fair Treatment Panel"),
            ("sign_off", "Can sign off a formal investigation"),
            ("view_ethnicity", "Can see an employee's ethnic category"),
            ("view_governance_reports", "Can see aggregated governance reports"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def employee_wres_group(self) -> WresGroup:
        return wres_group(self.employee_ethnic_category)

    @property
    def is_open(self) -> bool:
        return self.stage in Stage.open_values()

    @property
    def under_way(self) -> bool:
        """Open, or in a formal process not yet concluded: while the employee
        is still in a process (wellbeing check-ins, suspension reviews)."""
        if self.destroyed_at is not None:
            return False
        return self.is_open or (self.stage == Stage.FORMAL and self.formal_concluded_at is None)

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class JustCultureColumns(models.Model):
    """The guide's questions, one column each, and the letter they lead to.

    Shared by the referring manager's answers (below) and a panel's reviewed
    answers (``panels.DecisionGuideAnswers``)."""

    q1a = models.BooleanField(null=True)
    q2a = models.BooleanField(null=True)
    q2b = models.BooleanField(null=True)
    q2c = models.BooleanField(null=True)
    q3a = models.BooleanField(null=True)
    q3b = models.BooleanField(null=True)
    q3c = models.BooleanField(null=True)
    q4a = models.BooleanField(null=True)
    q4b = models.BooleanField(null=True)
    q4c = models.BooleanField(null=True)
    q5a = models.BooleanField(null=True)
    # The guide's letter (A-G), computed from the answers when they are saved.
    outcome = models.CharField(
        max_length=1, choices=[(o.value, o.value) for o in JustCultureOutcome], blank=True
    )

    class Meta:
        abstract = True

    def answers(self) -> JustCultureAnswers:
        return JustCultureAnswers(**{n: getattr(self, n) for n in JustCultureAnswers.names()})

    @property
    def outcome_advice(self) -> str:
        return JustCultureOutcome(self.outcome).advice if self.outcome else ""


class JustCultureAssessment(TrustOwned, JustCultureColumns):
    """The referring manager's answers to the just culture guide, one column each."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="just_culture"
    )

    def __str__(self) -> str:
        return f"Just culture answers for case {self.case_id}"


class SignOff(TrustOwned):
    """A senior decision-maker's answer to a panel's proposal of formal action.

    Append-only (a database trigger refuses updates and deletes), so the
    record that let a case into ``formal`` can never be taken away.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signoffs")
    decision = models.ForeignKey(
        "panels.PanelDecision", on_delete=models.PROTECT, related_name="signoffs"
    )
    approved = models.BooleanField()
    reason = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["case", "signed_at"], name="signoff_case")]

    def __str__(self) -> str:
        return f"Sign-off ({'approved' if self.approved else 'declined'}) on case {self.case_id}"


class ReferenceCounter(TrustOwned):
    """The last case number a trust issued in a year: <prefix>-<year>-<number>."""

    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trust", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Step(models.TextChoices):
    """The flow's human steps: each has its own time limit and owner."""

    TRIAGE = "triage", "Triage"
    RESUBMIT = "resubmit", "Add information and resubmit"
    INFORMAL = "informal", "Informal resolution"
    CONVENE = "convene", "Convene the panel"
    DECIDE = "decide", "Panel decision"
    SIGNOFF = "signoff", "Sign-off"
    # After sign-off, the formal process (formal/): each a spell in stage
    # ``formal``, with its own time limit, reminders and escalations.
    INVESTIGATE = "investigate", "Formal investigation"
    HEARING = "hearing", "Disciplinary hearing"
    APPEAL = "appeal", "Appeal"


class CaseStep(TrustOwned):
    """One spell of a case at one step of its flow, and when that step is due.

    Written by the workflow engine in the action's transaction: submitting
    opens ``triage``; every action that moves the flow closes the open spell
    and opens the next while the case is open. A step visited twice (a
    declined sign-off sends the case back to ``decide``) has two rows, each
    with its own clock. Deadline sweeps read the open spells by ``due_on``
    (a partial index), and reports sum spells per stage: columns, not audit
    JSON. ``due_on`` is frozen when the spell opens, so changing a limit
    later does not move the goalposts of a step already under way.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=16, choices=Step.choices)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    entered_at = models.DateTimeField()
    due_on = models.DateField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        indexes = [
            models.Index(fields=["case", "entered_at"], name="casestep_case"),
            models.Index(
                fields=["due_on"],
                name="casestep_open_due",
                condition=models.Q(left_at__isnull=True),
            ),
            # The governance pack's time at each stage: a year's spells, read
            # from the index alone. docs/performance.md.
            models.Index(
                fields=["entered_at"], include=["case", "stage", "left_at"], name="casestep_entered"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(left_at__isnull=True),
                name="casestep_one_open_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("entered_at")),
                name="casestep_left_after_entered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} from {self.entered_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None
