"""Reads: every list and page asks here, so scoping is written once.

Query counts stay constant as cases grow: lists select their related rows
in the same query, and the case page prefetches each related table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from audit.services import personal_data_access_record
from panels.models import Declaration, Panel, PanelDecision, PanelMembership
from panels.selectors import seats_prefetch

from .errors import NotFound
from .flows import ReferralFlow
from .models import Case, CaseStep
from .rules import (
    Action,
    available_actions,
    can_see_ethnicity,
    can_see_panel_views,
    must_declare_first,
)
from .services._engine import active_nodes


def open_step_due_on(case_ref: str) -> Subquery:
    """The due date of the case's open step (``CaseStep``), as a subquery to
    annotate a list with: one query per page however many rows."""
    return Subquery(
        CaseStep.objects.filter(case=OuterRef(case_ref), left_at__isnull=True).values("due_on")[:1]
    )


def case_visibility_q(user: Any) -> Q | None:
    """The cases ``user`` may see as a filter, or None for every case."""
    roles = user_roles(user)
    if roles & {Role.HR, Role.DECISION_MAKER}:
        return None
    q = Q(pk__in=[])
    if Role.MANAGER in roles:
        q |= Q(referring_manager=user)
    if Role.PANEL in roles:
        q |= Q(Exists(PanelMembership.objects.filter(panel__case=OuterRef("pk"), user=user)))
    return q


def details_hidden(user: Any) -> Q | None:
    """As a filter: the cases whose details ``user`` may not read yet (a panel
    member who has not declared "no conflict" on the current panel), the list
    form of ``rules.must_declare_first``; None when the role sees every case's
    details. A list row then shows the reference, name and stage only: the
    department and the concern are the case's substance."""
    if user_roles(user) & {Role.HR, Role.DECISION_MAKER}:
        return None
    current = (
        Panel.objects.filter(case=OuterRef(OuterRef("pk")))
        .order_by("-convened_at", "-id")
        .values("pk")[:1]
    )
    cleared = Declaration.objects.filter(
        membership__panel_id=Subquery(current), membership__user=user, no_conflict=True
    )
    member = PanelMembership.objects.filter(panel__case=OuterRef("pk"), user=user)
    return Q(Exists(member)) & ~Q(Exists(cleared)) & ~Q(referring_manager=user)


def case_list_for(
    user: Any,
    *,
    stage: str | None = None,
    org_unit: str | None = None,
    outcome: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
) -> QuerySet[Case]:
    """Cases the user may see, newest first, with what a list row shows
    (``due_on``: the open step's due date, in the same query)."""
    hidden = details_hidden(user)
    qs = Case.objects.select_related("employee_org_unit", "referring_manager").annotate(
        due_on=open_step_due_on("pk"),
        details_hidden=Value(False)
        if hidden is None
        else ExpressionWrapper(hidden, output_field=BooleanField()),
    )
    visibility = case_visibility_q(user)
    if visibility is not None:
        qs = qs.filter(visibility)
    if stage:
        qs = qs.filter(stage=stage)
    if org_unit:
        # Filtering by department must not reveal a hidden case's department.
        qs = qs.filter(employee_org_unit__code=org_unit, details_hidden=False)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if submitted_from:
        qs = qs.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        qs = qs.filter(submitted_at__date__lte=submitted_to)
    return qs.order_by("-submitted_at", "-id")


@dataclass
class CaseView:
    """A case as its page shows it to one person."""

    case: Case
    active_nodes: list[str]
    actions: list[Action]
    show_ethnicity: bool
    # A panel member who has not yet declared no conflict: shown only the
    # reference, the people involved and what to do (workflow.rules).
    restricted: bool = False
    shows_panel_views: bool = False
    viewer: Any = None


def case_get_for(
    user: Any, case_id: int, *, channel: str = "web", shows_ethnicity: bool = True
) -> CaseView:
    """One case with its panels, decisions, sign-offs and path, or NotFound.

    Showing ethnicity to a role allowed to see it is recorded as an access;
    a screen that does not show it (``shows_ethnicity=False``) records none.
    """
    qs = Case.objects.select_related(
        "employee_org_unit", "referring_manager", "just_culture", "process"
    ).prefetch_related(
        Prefetch(
            "panels",
            queryset=Panel.objects.select_related("chair", "convened_by").prefetch_related(
                seats_prefetch(), "decisions"
            ),
        ),
        Prefetch(
            "decisions",
            queryset=PanelDecision.objects.select_related("decided_by", "guide_answers"),
        ),
        "signoffs__signed_by",
        # The path only: showings of personal data are in the log, not the path.
        Prefetch("events", queryset=AuditEvent.objects.path().select_related("actor")),
    )
    visibility = case_visibility_q(user)
    if visibility is not None:
        qs = qs.filter(visibility)
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case, or you may not see it.")
    nodes = active_nodes(case)
    show_ethnicity = shows_ethnicity and can_see_ethnicity(user)
    if show_ethnicity:
        personal_data_access_record(
            user=user, case=case, field="employee_ethnic_category", channel=channel
        )
    return CaseView(
        case=case,
        active_nodes=nodes,
        actions=available_actions(user, case, nodes),
        show_ethnicity=show_ethnicity,
        restricted=must_declare_first(user, case),
        shows_panel_views=can_see_panel_views(user, case),
        viewer=user,
    )


def inbox_for(user: Any) -> QuerySet[Task]:
    """Open tasks waiting for ``user``: assigned to them, or in the queue of a
    role they hold, on cases they may see and may act on."""
    perms = [p for p in user.get_all_permissions()] if user.is_authenticated else []
    qs = (
        Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .filter(Q(owner=user) | Q(owner__isnull=True, owner_permission__in=perms))
        .select_related("process__case__employee_org_unit", "process__case__referring_manager")
        .annotate(due_on=open_step_due_on("process__case"))
    )
    # Nobody acts as an independent check on a case they referred or sat on.
    qs = qs.exclude(Q(owner__isnull=True) & Q(process__case__referring_manager=user))
    qs = qs.exclude(
        Q(owner__isnull=True, flow_task=ReferralFlow.signoff)
        & Q(process__case__panels__memberships__user=user)
    )
    visibility = case_visibility_q(user)
    if visibility is not None:
        case_ids = Case.objects.filter(visibility).values("process_id")
        qs = qs.filter(process_id__in=case_ids)
    return qs.order_by("created", "id").distinct()
