"""Reads: every list and page asks here, so scoping is written once.

Query counts stay constant as cases grow: lists select their related rows
in the same query, and the case page prefetches each related table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.types import Viewer, as_actor
from audit.models import AuditEvent
from audit.services import personal_data_access_record
from core.errors import NotFound
from tenancy.context import current_trust_id

from . import access
from .engine import active_nodes
from .flows import ReferralFlow
from .models import Case, CaseStep
from .participants import participants
from .rules import Action, available_actions


def open_step_due_on(case_ref: str) -> Subquery:
    """The due date of the case's open step (``CaseStep``), as a subquery to
    annotate a list with: one query per page however many rows."""
    return Subquery(
        CaseStep.objects.filter(case=OuterRef(case_ref), left_at__isnull=True).values("due_on")[:1]
    )


# The orders the lists are paged in (``core.paging``), each served by an index
# (docs/performance.md): the case list newest first, the inbox oldest first.
CASE_LIST_ORDER = ("-submitted_at", "-id")
INBOX_ORDER = ("created", "id")


def case_list_for(
    user: Viewer,
    *,
    stage: str | None = None,
    org_unit: str | None = None,
    outcome: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
) -> QuerySet[Case]:
    """Cases the user may see, newest first, with what a list row shows
    (``due_on``: the open step's due date, in the same query).

    Rows come out as ``access.ShownCase``: a row whose details the viewer may
    not read (``details_shown`` false) gives nothing of its substance."""
    qs = (
        Case.objects.select_related("employee_org_unit", "referring_manager")
        .filter(access.CaseVisible.q(user))
        .annotate(
            due_on=open_step_due_on("pk"),
            details_shown=ExpressionWrapper(
                access.DetailsVisible.q(user), output_field=BooleanField()
            ),
        )
    )
    qs._iterable_class = access.ShownRows
    if stage:
        qs = qs.filter(stage=stage)
    if org_unit:
        # Filtering by department must not reveal a hidden case's department.
        qs = qs.filter(access.DetailsVisible.q(user), employee_org_unit__code=org_unit)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if submitted_from:
        qs = qs.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        qs = qs.filter(submitted_at__date__lte=submitted_to)
    return qs.order_by(*CASE_LIST_ORDER)


@dataclass(frozen=True)
class Allowed:
    """What one person may see and do on one case, each from its rule in
    ``workflow.access`` (and ``workflow.rules`` for the actions)."""

    details: bool
    panel_views: bool
    ethnicity: bool
    conflict_reasons: bool


class CaseView:
    """A case as its page shows it to one person.

    ``case`` is the case as this person may see it (``access.ShownCase``): the
    substance only when ``DetailsVisible`` allows, the ethnic category only
    when the screen shows it and ``EthnicityVisible`` allows. ``minimum`` is
    the reference and stage alone, for a page that refuses. ``path`` is the
    case's path with each reason as ``EventReasonVisible`` allows. The model
    itself is ``_case``, for Python code only (templates cannot read it).
    """

    def __init__(
        self,
        *,
        case: Case,
        active_nodes: list[str],
        actions: list[Action],
        allowed: Allowed,
        viewer: Viewer,
        due_on: dt.date | None,
    ) -> None:
        self._case = case
        self.active_nodes = active_nodes
        self.actions = actions
        self.allowed = allowed
        self.viewer = viewer
        self.due_on = due_on
        shown = access.Shown.MINIMUM | access.Shown.PEOPLE
        if allowed.details:
            shown |= access.Shown.DETAILS
            if allowed.ethnicity:
                shown |= access.Shown.ETHNICITY
        self.case = access.ShownCase(case, shown)
        self.minimum = access.ShownCase(case, access.Shown.MINIMUM)

    @property
    def restricted(self) -> bool:
        """A panel member who has not yet declared no conflict: shown only the
        reference, the people involved and what to do."""
        return not self.allowed.details

    @property
    def show_ethnicity(self) -> bool:
        return self.allowed.details and self.allowed.ethnicity

    @property
    def shows_panel_views(self) -> bool:
        return self.allowed.panel_views

    @property
    def path(self) -> list[access.ShownEvent]:
        """The path (no showings of personal data), oldest first; empty for
        someone who may not read the details."""
        if not self.allowed.details:
            return []
        return [access.shown_event(self.viewer, e) for e in self._case.events.all()]


def case_get_for(
    user: Viewer, case_id: int, *, channel: str = "web", shows_ethnicity: bool = True
) -> CaseView:
    """One case with its panels, decisions, sign-offs and path, or NotFound.

    Showing ethnicity to a role allowed to see it is recorded as an access;
    a screen that does not show it (``shows_ethnicity=False``) records none.
    """
    qs = Case.objects.select_related(
        "employee_org_unit", "referring_manager", "just_culture", "process"
    ).prefetch_related(
        # The panels (seats, declarations, views, decisions) and the decisions.
        *participants().detail_prefetches(),
        "signoffs__signed_by",
        # The path only: showings of personal data are in the log, not the path.
        Prefetch("events", queryset=AuditEvent.objects.path().select_related("actor")),
    )
    case = (
        qs.filter(access.CaseVisible.q(user))
        .annotate(due_on=open_step_due_on("pk"))
        .filter(pk=case_id)
        .first()
    )
    if case is None or not access.CaseVisible.allows(user, case):
        raise NotFound("No such case, or you may not see it.")
    nodes = active_nodes(case)
    allowed = Allowed(
        details=access.DetailsVisible.allows(user, case),
        panel_views=access.PanelViewsVisible.allows(user, case),
        ethnicity=shows_ethnicity and access.EthnicityVisible.allows(user, case),
        conflict_reasons=access.ConflictReasonVisible.allows(user, case),
    )
    if not allowed.conflict_reasons:
        # Blank the declarations' reasons on the rows loaded for this page, so
        # no template or serializer can show them (these rows are never saved).
        participants().withhold_conflict_reasons(case)
    if allowed.details and allowed.ethnicity:
        personal_data_access_record(
            user=as_actor(user), case=case, field="employee_ethnic_category", channel=channel
        )
    return CaseView(
        case=case,
        active_nodes=nodes,
        actions=available_actions(user, case, nodes),
        allowed=allowed,
        viewer=user,
        due_on=case.due_on if case.is_open else None,
    )


def inbox_for(user: Viewer) -> QuerySet[Task]:
    """Open tasks waiting for ``user``: assigned to them, or in the queue of a
    role they hold, on cases they may see and may act on."""
    perms = [p for p in user.get_all_permissions()] if user.is_authenticated else []
    # viewflow ships no type information: its manager is Any to mypy, so the
    # queryset's type is declared here.
    qs: QuerySet[Task] = (
        Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .filter(Q(owner=user) | Q(owner__isnull=True, owner_permission__in=perms))
        .select_related("process__case__employee_org_unit", "process__case__referring_manager")
        .annotate(due_on=open_step_due_on("process__case"))
    )
    # Nobody acts as an independent check on a case they referred, and only an
    # independent decision-maker is offered the sign-off (access.SignoffIndependent).
    qs = qs.exclude(Q(owner__isnull=True) & Q(process__case__referring_manager=user))
    qs = qs.exclude(
        Q(owner__isnull=True, flow_task=ReferralFlow.signoff)
        & ~access.SignoffIndependent.q(user, "process__case__")
    )
    # viewflow's task table is walled by row-level security on PostgreSQL
    # (tenancy/rls.py); its model has no trust manager, so the SQLite demo's
    # trusts are kept apart here.
    qs = qs.filter(process__case__trust_id=current_trust_id())
    qs = qs.filter(access.CaseVisible.q(user, "process__case__")).annotate(
        # A row shows the department only where the details may be read.
        details_shown=ExpressionWrapper(
            access.DetailsVisible.q(user, "process__case__"), output_field=BooleanField()
        )
    )
    # No DISTINCT: nothing joined here can repeat a task (the access rules are
    # EXISTS subqueries), and DISTINCT over every selected column made the
    # database sort every open task's row before the page could be cut.
    return qs.order_by(*INBOX_ORDER)


def steps_overdue_count(today: dt.date | None = None) -> int:
    """Open steps past their due date (``deadlines.is_overdue``: the due date
    itself is on time), across every case: the operations metric.

    Read from the partial index ``casestep_open_due`` alone, which holds only
    the open spells (one per open case), so the count follows the open
    work, not the history (docs/performance.md).
    """
    due_before = today or timezone.localdate()
    return CaseStep.objects.filter(left_at__isnull=True, due_on__lt=due_before).count()
