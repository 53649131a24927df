"""Walk a case to any stage through the services, and prove a refusal changed nothing.

Shared by the workflow and panel tests so each test starts from a case that
got where it is the only way a real one can: through the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from viewflow.workflow.models import Process, Task

from accounts.roles import Role, holders
from audit.models import AuditEvent
from core.errors import DomainError, ValidationFailed
from panels import state
from panels.models import Declaration, Panel, PanelDecision, PanelMembership, PanelView
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_view_record,
)
from panels.state import current_panel
from voice.selectors import has_account
from voice.services import account_record
from workflow.engine import active_nodes
from workflow.models import Case, JustCultureAssessment, ReferenceCounter, SignOff
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_resubmit,
    referral_submit,
)

from ..factories import referral_kwargs

PANEL_REASON = "A pattern of similar concerns that informal resolution cannot address."
RETURN_REASON = "Please add the dates of the earlier conversations."
RESUBMIT_NOTE = "Added the dates of the two earlier conversations."
INFORMAL_ACTIONS = "Facilitated conversation with the colleague and a written reflection."
UNRESOLVED_REASON = "The behaviour was repeated on the next two shifts."
RATIONALE = "The panel weighed the evidence, the context and the just culture guide."
DECLINE_REASON = "The panel has not considered the mitigating workload evidence."
VIEW_COMMENT = "Informal steps were tried; the pattern needs the panel's weighing."
ACCOUNT_TEXT = "I was covering two bays that shift and asked for help twice before handover."


@dataclass(frozen=True)
class Event:
    action: str
    from_stage: str
    to_stage: str
    actor: Any
    reason: str


def events(case: Case) -> list[Event]:
    """The case's audit trail, oldest first, in a form a test can compare whole."""
    rows = AuditEvent.objects.filter(case=case).order_by("at", "id").select_related("actor")
    return [Event(e.action, e.from_stage, e.to_stage, e.actor, e.reason) for e in rows]


def fresh(case: Case) -> Case:
    return Case.objects.select_related("process").get(pk=case.pk)


def nodes(case: Case) -> list[str]:
    return sorted(active_nodes(case))


def task_owner(case: Case, node: str) -> Any:
    task = Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN")
    matching = [t for t in task.order_by("-id") if t.flow_task.name == node]
    return matching[0].owner


def process_status(case: Case) -> str:
    return str(Process.objects.get(pk=case.process_id).status)


# --- nothing changed --------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Every row a service may write, so a refusal can be shown to write none."""

    cases: tuple[Any, ...]
    assessments: int
    counters: tuple[Any, ...]
    events: int
    panels: tuple[Any, ...]
    memberships: tuple[Any, ...]
    declarations: int
    views: int
    decisions: int
    signoffs: int
    processes: tuple[Any, ...]
    tasks: tuple[Any, ...]


def snapshot() -> Snapshot:
    return Snapshot(
        cases=tuple(Case.objects.order_by("pk").values_list()),
        assessments=JustCultureAssessment.objects.count(),
        counters=tuple(ReferenceCounter.objects.order_by("pk").values_list()),
        events=AuditEvent.objects.count(),
        panels=tuple(Panel.objects.order_by("pk").values_list("pk", "chair_id")),
        memberships=tuple(
            PanelMembership.objects.order_by("pk").values_list("pk", "stood_down_at")
        ),
        declarations=Declaration.objects.count(),
        views=PanelView.objects.count(),
        decisions=PanelDecision.objects.count(),
        signoffs=SignOff.objects.count(),
        processes=tuple(Process.objects.order_by("pk").values_list("pk", "status", "finished")),
        tasks=tuple(
            Task.objects.order_by("pk").values_list("pk", "status", "owner_id", "finished")
        ),
    )


def refused(error: type[DomainError], service: Callable[..., Any], /, **kwargs: Any) -> DomainError:
    """Call ``service``; it must raise ``error`` and leave every row as it was."""
    before = snapshot()
    with pytest.raises(error) as info:
        service(**kwargs)
    assert type(info.value) is error
    assert snapshot() == before
    return info.value


def invalid(service: Callable[..., Any], /, **kwargs: Any) -> set[str]:
    """The field names a ValidationFailed refusal reports (nothing changes)."""
    exc = refused(ValidationFailed, service, **kwargs)
    assert isinstance(exc, ValidationFailed)
    assert all(exc.errors.values()), exc.errors
    return set(exc.errors)


# --- walking a case ---------------------------------------------------------


def deliberation(members: list[Any], hr: Any = None) -> list[Event]:
    """The events ``deliberate`` appends: HR adds the employee's account (by
    ``hr``, the case's owner), then each member declares and gives a view."""
    return [
        Event("record_account", "panel", "panel", hr, ""),
        *(
            Event(action, "panel", "panel", member, "")
            for member in members
            for action in ("declare", "record_view")
        ),
    ]


def account_add(case: Case, hr: Any = None) -> Case:
    """HR adds the employee's account from a meeting, as an adviser would
    before the panel decides (the trust's default policy refuses a decision
    without one: ``voice``). By the case's owner unless ``hr`` is given."""
    case = fresh(case)
    adviser: Any = hr or case.owner or holders(Role.HR).order_by("pk").first()
    return account_record(
        case_id=case.pk,
        actor=adviser,
        source="meeting",
        text=ACCOUNT_TEXT,
        meeting_on=dt.date.today(),
    )


def deliberate(case: Case, view: str = "informal_action") -> Case:
    """HR adds the employee's account if none is on the case yet; then every
    sitting member who has not yet done so declares no conflict and records
    a view: the panel is then waiting for the chair's decision."""
    if not has_account(case.pk):
        case = account_add(case)
    panel = current_panel(fresh(case))
    assert panel is not None
    for seat in state.sitting(panel):
        if state.declaration(seat) is None:
            case = panel_declare(case_id=case.pk, actor=seat.user, no_conflict=True)
        if state.latest_view(seat) is None:
            case = panel_view_record(
                case_id=case.pk, actor=seat.user, outcome=view, comment=VIEW_COMMENT
            )
    return case


class Story:
    """Brings a case to a stage through the services, with the shared cast."""

    def __init__(self, cast: Any, employee: Any) -> None:
        self.cast = cast
        self.employee = employee

    def submitted(self, manager: Any = None) -> Case:
        return referral_submit(actor=manager or self.cast.manager, **referral_kwargs(self.employee))

    def returned(self) -> Case:
        case = self.submitted()
        return case_triage(
            case_id=case.pk, actor=self.cast.hr, route="return", reason=RETURN_REASON
        )

    def informal(self, manager: Any = None) -> Case:
        case = self.submitted(manager)
        return case_triage(case_id=case.pk, actor=self.cast.hr, route="informal")

    def panel(self, manager: Any = None) -> Case:
        """At ``panel``, waiting for HR to convene (straight from triage)."""
        case = self.submitted(manager)
        return case_triage(case_id=case.pk, actor=self.cast.hr, route="panel", reason=PANEL_REASON)

    def just_convened(
        self, members: list[Any] | None = None, chair: Any = None, manager: Any = None
    ) -> Case:
        """At ``panel``, convened, and HR has added the employee's account (as
        ``deliberate`` does): the members have yet to declare their interests."""
        case = self.panel(manager)
        members = members or self.cast.panel
        chair = chair or members[0]
        panel_convene(
            case_id=case.pk, actor=self.cast.hr, members=[m.pk for m in members], chair=chair.pk
        )
        return account_add(case, self.cast.hr)

    def deliberated(self, case: Case, view: str = "informal_action") -> Case:
        return deliberate(case, view)

    def convened(
        self, members: list[Any] | None = None, chair: Any = None, manager: Any = None
    ) -> Case:
        """At ``panel``, convened, every member cleared of conflicts and their
        views recorded: waiting for the chair's decision."""
        return self.deliberated(self.just_convened(members, chair, manager))

    def decide(self, case: Case, outcome: str, chair: Any = None) -> Case:
        return panel_decision_record(
            case_id=case.pk, actor=chair or self.cast.panel_a, outcome=outcome, rationale=RATIONALE
        )

    def signoff(self, members: list[Any] | None = None, manager: Any = None) -> Case:
        """At ``signoff``: the panel proposed a formal investigation."""
        case = self.convened(members, manager=manager)
        chair = (members or self.cast.panel)[0]
        return self.decide(case, "formal_investigation", chair)

    def formal(self) -> Case:
        case = self.signoff()
        return case_signoff(
            case_id=case.pk,
            actor=self.cast.director,
            approve=True,
            reason="Proportionate to the concern.",
        )

    def closed(self) -> Case:
        case = self.informal()
        return case_record_informal_outcome(
            case_id=case.pk, actor=self.cast.manager, resolved=True, actions=INFORMAL_ACTIONS
        )

    def resubmitted(self) -> Case:
        case = self.returned()
        return referral_resubmit(case_id=case.pk, actor=self.cast.manager, note=RESUBMIT_NOTE)

    def suspended(self) -> Case:
        """At ``informal``, with an active suspension on the register (suspensions/)."""
        from django.utils import timezone

        from suspensions.services import suspension_record

        case = self.informal()
        return suspension_record(
            case_id=case.pk,
            actor=self.cast.hr,
            kind="suspension",
            reason="Risk to patients while the allegation is looked into.",
            decided_by=self.cast.director.pk,
            started_on=timezone.localdate(),
        )

    def at(self, where: str) -> Case:
        """A case at one of the named points: each open point of the table."""
        case: Case = getattr(self, where)()
        return case


OPEN_POINTS = ["submitted", "returned", "informal", "panel", "convened", "signoff"]
