"""A subject access pack's rows about the employee and their cases.

The employee's record, then their cases read ``CASE_BATCH`` at a time in
keyset order, each batch with its steps, path, panels, decisions and
sign-offs prefetched, so a batch costs the same few queries however many
cases, panels or people it holds. Everyone named goes through
``Redaction`` in the capacity they held on the case (``roles_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from casefile.models import CaseNote, Document
from letters.models import Letter
from panels.models import Panel, PanelDecision
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from voice.models import EmployeeAccount
from workflow.access import CONFLICT_EVENTS, SubjectAccessProduce
from workflow.just_culture import JustCultureAnswers
from workflow.models import Case, Stage

from .subject_access_redact import WITHHELD_CONFLICT, PersonRole, Redaction

if TYPE_CHECKING:
    from accounts.types import Actor

CASE_BATCH = 50

Row = tuple[Any, ...]
STAGES = dict(Stage.choices)


def when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def ethnicity(code: str) -> str:
    return str(EthnicCategory(code).label) if code else ""


def employee_row(employee: Employee, redaction: Redaction) -> Row:
    manager = employee.line_manager
    return (
        employee.staff_number,
        employee.name,
        employee.job_title,
        employee.get_band_display(),
        employee.org_unit.name,
        redaction.label(("line_manager", manager.name), manager.name, PersonRole.LINE_MANAGER)
        if manager
        else "",
        ethnicity(employee.ethnic_category),
        employee.user.get_username() if employee.user else "",
    )


def case_batches(actor: Actor, employee: Employee) -> Iterator[list[Case]]:
    """The employee's cases, oldest first, ``CASE_BATCH`` at a time (keyset),
    each batch with what its rows need prefetched."""
    base = (
        Case.objects.filter(employee=employee)
        .filter(SubjectAccessProduce.q(actor))
        .select_related("employee_org_unit", "referring_manager", "just_culture")
        .prefetch_related(
            "steps",
            Prefetch(
                "events",
                queryset=AuditEvent.objects.path().select_related("actor").order_by("at", "id"),
            ),
            Prefetch(
                "panels",
                queryset=Panel.objects.prefetch_related("memberships__user", "memberships__views"),
            ),
            Prefetch("decisions", queryset=PanelDecision.objects.select_related("decided_by")),
            "signoffs__signed_by",
            # The case file (subject_access_casefile.py).
            Prefetch(
                "documents",
                queryset=Document.objects.prefetch_related("versions__uploaded_by").order_by("id"),
            ),
            Prefetch("notes", queryset=CaseNote.objects.select_related("author").order_by("id")),
            Prefetch("letters", queryset=Letter.objects.select_related("sent_by").order_by("id")),
            # The employee's own accounts (voice/): their words, in their pack.
            Prefetch(
                "accounts",
                queryset=EmployeeAccount.objects.select_related("recorded_by").order_by("id"),
            ),
        )
        .order_by("submitted_at", "id")
    )
    last: Case | None = None
    while True:
        page = base
        if last is not None:
            page = base.filter(
                Q(submitted_at__gt=last.submitted_at)
                | Q(submitted_at=last.submitted_at, id__gt=last.pk)
            )
        batch = list(page[:CASE_BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1]


def people_on(case: Case) -> Iterable[Actor]:
    """Everyone a case's rows name, to read their roles in one query."""
    yield case.referring_manager
    yield from (e.actor for e in case.events.all() if e.actor is not None)
    for panel in case.panels.all():
        yield from (m.user for m in panel.memberships.all())
    yield from (d.decided_by for d in case.decisions.all())
    yield from (s.signed_by for s in case.signoffs.all())


def roles_on(case: Case) -> dict[int, PersonRole]:
    """The capacity each person held on ``case``: chair, then member, then
    referring manager. Anyone else is placed by their role in the product."""
    roles: dict[int, PersonRole] = {}
    for panel in case.panels.all():
        for seat in panel.memberships.all():
            roles.setdefault(seat.user_id, PersonRole.PANEL_MEMBER)
    for panel in case.panels.all():
        roles[panel.chair_id] = PersonRole.PANEL_CHAIR
    roles.setdefault(case.referring_manager_id, PersonRole.REFERRING_MANAGER)
    return roles


def role_of(user: Actor, roles: dict[int, PersonRole]) -> PersonRole:
    if user.pk in roles:
        return roles[user.pk]
    held = user_roles(user)
    if Role.HR in held:
        return PersonRole.HR_ADVISER
    if Role.DECISION_MAKER in held:
        return PersonRole.DECISION_MAKER
    return PersonRole.OTHER


def named(user: Actor | None, redaction: Redaction, roles: dict[int, PersonRole]) -> str:
    """``user`` as the pack shows them, in the capacity they held on the case."""
    return redaction.user(user, role_of(user, roles) if user is not None else None)


def case_row(case: Case, redaction: Redaction, roles: dict[int, PersonRole]) -> Row:
    line_manager = (
        redaction.label(
            ("line_manager", case.employee_line_manager_name),
            case.employee_line_manager_name,
            PersonRole.LINE_MANAGER,
        )
        if case.employee_line_manager_name
        else ""
    )
    return (
        case.reference,
        when(case.submitted_at),
        case.get_stage_display(),
        case.get_outcome_display(),
        case.employee_staff_number,
        case.employee_name,
        case.employee_job_title,
        case.get_employee_band_display(),
        case.employee_org_unit.name,
        line_manager,
        ethnicity(case.employee_ethnic_category),
        case.get_concern_category_display(),
        day(case.incident_date),
        case.summary,
        case.informal_steps_tried,
        case.get_triage_route_display(),
        case.triage_reason,
        case.get_redirect_policy_display(),
        "" if case.informal_resolved is None else ("yes" if case.informal_resolved else "no"),
        case.informal_actions,
        case.informal_reason,
        named(case.referring_manager, redaction, roles),
        when(case.closed_at),
        when(case.formal_commissioned_at),
    )


def history_rows(case: Case, redaction: Redaction, roles: dict[int, PersonRole]) -> list[Row]:
    """The case's steps and the actions that moved it, in time order."""
    entries: list[tuple[dt.datetime, int, Row]] = []
    for step in case.steps.all():
        row = (
            case.reference,
            when(step.entered_at),
            "step",
            step.get_step_display(),
            "",
            STAGES.get(step.stage, step.stage),
            "",
            "",
            day(step.due_on),
            when(step.left_at),
        )
        entries.append((step.entered_at, 0, row))
    for event in case.events.all():
        reason = event.reason
        if event.action in CONFLICT_EVENTS and reason:
            reason = WITHHELD_CONFLICT  # the member's own data, not the requester's
        row = (
            case.reference,
            when(event.at),
            "action",
            event.type_label,
            STAGES.get(event.from_stage, event.from_stage),
            STAGES.get(event.to_stage, event.to_stage),
            named(event.actor, redaction, roles),
            reason,
            "",
            "",
        )
        entries.append((event.at, 1, row))
    return [row for _, _, row in sorted(entries, key=lambda e: (e[0], e[1]))]


def decision_rows(case: Case, redaction: Redaction, roles: dict[int, PersonRole]) -> list[Row]:
    """The referring manager's just culture answers, each member's view, the
    panel's decisions and the sign-offs, in time order."""
    entries: list[tuple[dt.datetime, Row]] = []
    answers = getattr(case, "just_culture", None)
    if answers is not None:
        given = "; ".join(
            f"{name}: {'-' if value is None else ('yes' if value else 'no')}"
            for name, value in zip(
                JustCultureAnswers.names(),
                (getattr(answers, n) for n in JustCultureAnswers.names()),
                strict=True,
            )
        )
        guide = f"{answers.outcome} ({given})" if answers.outcome else given
        who = named(case.referring_manager, redaction, roles)
        row = (
            case.reference,
            when(case.submitted_at),
            "Just culture guide",
            who,
            "",
            "",
            "",
            guide,
        )
        entries.append((case.submitted_at, row))
    for panel in case.panels.all():
        for seat in panel.memberships.all():
            for view in seat.views.all():
                kind = f"Panel member's view (round {view.round})"
                who = named(seat.user, redaction, roles)
                row = (
                    case.reference,
                    when(view.recorded_at),
                    kind,
                    who,
                    view.get_outcome_display(),
                    view.comment,
                    "",
                    "",
                )
                entries.append((view.recorded_at, row))
    for decision in case.decisions.all():
        guide = " ".join(
            part
            for part in (
                decision.just_culture_outcome or "",
                decision.get_guide_alignment_display() or "",
            )
            if part
        )
        row = (
            case.reference,
            when(decision.decided_at),
            "Panel decision",
            named(decision.decided_by, redaction, roles),
            decision.get_outcome_display(),
            decision.rationale,
            decision.agreed_actions or "",
            guide,
        )
        entries.append((decision.decided_at, row))
    for signoff in case.signoffs.all():
        row = (
            case.reference,
            when(signoff.signed_at),
            "Sign-off",
            redaction.user(signoff.signed_by, PersonRole.DECISION_MAKER),
            "approved" if signoff.approved else "declined",
            signoff.reason,
            "",
            "",
        )
        entries.append((signoff.signed_at, row))
    return [row for _, row in sorted(entries, key=lambda e: e[0])]
