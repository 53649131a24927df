"""The panel pool, panels convened on a case, and what their members record.

A panel member's record grows in order, and nothing is rewritten: each member
declares (no conflict, or a conflict that stands them down), records a view,
and the chair records the decision. Declarations, views and decisions are
append-only in the database (migration 0004), like sign-offs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned
from workflow.models import JustCultureColumns, Outcome

PANEL_OUTCOMES = [
    Outcome.FORMAL_INVESTIGATION,
    Outcome.INFORMAL_ACTION,
    Outcome.MEDIATION,
    Outcome.OTHER_POLICY,
    Outcome.OCCUPATIONAL_HEALTH,
    Outcome.EXTERNAL_REFERRAL,
    Outcome.NO_FURTHER_ACTION,
]
PANEL_OUTCOME_CHOICES = [(o.value, o.label) for o in PANEL_OUTCOMES]


# --- the pool ---------------------------------------------------------------------


class StaffNetwork(TrustOwned):
    """A staff network, such as the race equality network. The trust keeps the list."""

    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "code"], name="network_code_unique"),
            models.UniqueConstraint(fields=["trust", "name"], name="network_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PoolMember(TrustOwned):
    """What the panel rules need about a person who may sit, beyond their
    employee record (``staff.Employee.user``): networks, independent-member
    training and availability. A pool member must also hold the panel role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pool_member"
    )
    networks = models.ManyToManyField(StaffNetwork, blank=True, related_name="members")
    # A trained independent member ("cultural ambassador") while this date is
    # not past; blank: not trained.
    independent_trained_until = models.DateField(null=True, blank=True)
    # Unavailable to be convened until this date (inclusive); blank: available.
    away_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = "panel pool member"

    def __str__(self) -> str:
        return f"Pool member {self.user}"


# --- panels ---------------------------------------------------------------------


class Panel(TrustOwned):
    """One convening of a Fair Treatment Panel on a case. The latest is current.

    ``chair`` changes only when the chair declared a conflict and HR named a
    new one (``panel_members_replace``); the audit path keeps the history.
    """

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


class PanelMembership(TrustOwned):
    """A seat on a panel. A member who declares a conflict is stood down (the
    row stays, so the record shows who was asked); a replacement's seat names
    the seat it fills."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_memberships"
    )
    stood_down_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="panel_member_once"),
        ]
        indexes = [
            models.Index(fields=["user", "stood_down_at"], name="membership_user"),
            # My panels' past seats, newest first, a page at a time (docs/performance.md).
            models.Index(fields=["user", "-id"], name="membership_user_recent"),
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} on panel {self.panel_id}"

    @property
    def sitting(self) -> bool:
        return self.stood_down_at is None


class Declaration(TrustOwned):
    """A member's declaration on a case, made before they may see its details.

    One per seat: "no conflict" lets them see the case and record a view; a
    conflict stands them down and asks HR for a replacement.
    """

    membership = models.OneToOneField(
        PanelMembership, on_delete=models.PROTECT, related_name="declaration"
    )
    no_conflict = models.BooleanField()
    # Why they have a conflict; HR reads it, other members never do.
    reason = models.TextField(blank=True)
    declared_at = models.DateTimeField()

    class Meta:
        ordering = ["declared_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(no_conflict=True) | ~models.Q(reason=""),
                name="declaration_conflict_has_reason",
            ),
        ]

    def __str__(self) -> str:
        kind = "no conflict" if self.no_conflict else "conflict"
        return f"Declaration ({kind}) for seat {self.membership_id}"


class PanelView(TrustOwned):
    """One member's view of the outcome, with their comment.

    ``round`` counts the decisions the panel had made when the view was
    recorded: 0 before the first; after a declined sign-off the panel
    reconsiders in round 1, and each member may record a fresh view. Views
    are never changed, so a dissent stays on record.
    """

    membership = models.ForeignKey(PanelMembership, on_delete=models.PROTECT, related_name="views")
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=32, choices=PANEL_OUTCOME_CHOICES)
    comment = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "round"], name="view_once_per_round"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in PANEL_OUTCOMES]),
                name="view_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} from seat {self.membership_id}"


class GuideAlignment(models.TextChoices):
    CONSISTENT = "consistent", "Consistent with the guide's advice"
    DEPARTS = "departs", "Departs from the guide's advice"
    NO_ADVICE = "no_advice", "The guide gave no advice (answers incomplete)"


class PanelDecision(TrustOwned):
    """A panel's reasoned decision. Append-only, like the sign-off.

    It keeps the just culture guide's letter as it stood when the panel
    decided (from the panel's reviewed answers if it amended them) and how
    the outcome relates to that advice.
    """

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="decisions")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=32, choices=PANEL_OUTCOME_CHOICES)
    rationale = models.TextField()
    # Nullable on purpose: null on decisions recorded before these were kept,
    # and, on SQLite, adding a NOT NULL column remakes the table, which would
    # drop its append-only triggers (workflow migrations 0002/0003); a
    # nullable column without a default is added in place.
    agreed_actions = models.TextField(null=True, blank=True)  # noqa: DJ001
    just_culture_outcome = models.CharField(max_length=1, null=True, blank=True)  # noqa: DJ001
    guide_alignment = models.CharField(  # noqa: DJ001
        max_length=16, choices=GuideAlignment.choices, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    # Why the panel decided before the employee's own account was on the
    # case (voice/; allowed only where the trust's policy lets it). Null when
    # the account was there.
    without_account_reason = models.TextField(null=True, blank=True)  # noqa: DJ001

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


class DecisionGuideAnswers(TrustOwned, JustCultureColumns):
    """The panel's own answers to the just culture guide, when it reviewed them
    with its decision. The referring manager's answers stay as they were."""

    decision = models.OneToOneField(
        PanelDecision, on_delete=models.PROTECT, primary_key=True, related_name="guide_answers"
    )

    def __str__(self) -> str:
        return f"Panel's just culture answers for decision {self.decision_id}"


# --- meetings ----------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class CompanionRole(models.TextChoices):
    """Who may accompany a worker (Employment Relations Act 1999 s.10)."""

    UNION_REP = "union_rep", "Trade union representative"
    UNION_OFFICIAL = "union_official", "Trade union official"
    COLLEAGUE = "colleague", "Work colleague"
    OTHER = "other", "Someone else the trust agreed to"


class PanelMeeting(TrustOwned):
    """When and where a convened panel meets (``panels.meetings``).

    The calendar invitation members receive is built from this row
    (``panels.meeting_ics``): ``uid`` names the same calendar event in every
    message about it, and ``sequence`` goes up with each change or the
    cancellation, so a calendar replaces what it holds with the newest.
    ``minutes`` is the case-file document of the minutes, once attached.
    """

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    case = models.ForeignKey(
        "workflow.Case", on_delete=models.PROTECT, related_name="panel_meetings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=255, unique=True)
    # Cleared when the case file is destroyed under the retention schedule
    # (its documents go; records.retention).
    minutes = models.ForeignKey(
        "casefile.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # Why it was cancelled; the members' cancellation does not carry it.
    cancel_reason = models.TextField(blank=True)
    # The employee's right to be accompanied (Employment Relations Act 1999
    # s.10; docs/wellbeing.md): that they were told of it, and who comes
    # with them (blank: nobody, or not yet known). Nullable so that SQLite
    # adds the columns in place.
    accompaniment_told = models.BooleanField(null=True, blank=True)
    companion_name = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    companion_role = models.CharField(  # noqa: DJ001
        max_length=16, choices=CompanionRole.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["case", "starts_at"], name="meeting_case")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            ),
            models.CheckConstraint(
                condition=~models.Q(place="", video_link=""), name="meeting_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk} of panel {self.panel_id}"

    @property
    def cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class MeetingAttendance(TrustOwned):
    """Whether one seated member attended a meeting, as HR or the chair recorded it."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"User {self.user_id} at meeting {self.meeting_id}: {self.attended}"
