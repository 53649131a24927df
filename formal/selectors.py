"""Reads of the formal process: who was involved before, the process as a
viewer may see it, and the people the forms offer.

``involvement`` gathers the parts people played in a case in a fixed number
of queries (five, however many panels and people), for the panel rule
engine's ``independence`` (``panels.rules``), which judges them without the
database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.types import Actor, Viewer
from audit.models import AuditEvent
from panels.models import Panel, PanelMembership
from panels.rules import CaseFacts, InvolvedAs, Involvement, Member
from panels.selectors import case_facts, line_managers, members_by_id
from staff.models import Employee
from workflow import access
from workflow.deadlines import is_overdue
from workflow.models import Case, CaseStep, SignOff, Step

from .models import FormalProcess

FORMAL_STEPS = (Step.INVESTIGATE, Step.HEARING, Step.APPEAL)


def involvement(case: Case, process: FormalProcess | None = None) -> Involvement:
    """Who played each earlier part in ``case`` (user ids by part).

    The employee (their login, if any), the referring manager, whoever
    triaged it (from the audit log: triage writes no other row naming its
    adviser), every panel member in any seat of any panel and every chair,
    every decision-maker who signed off (approving or declining), and, from
    the formal process itself, the investigator and the hearing's chair.
    """
    employee_user = (
        Employee.objects.filter(pk=case.employee_id).values_list("user_id", flat=True).first()
        if case.employee_id is not None
        else None
    )
    triage = AuditEvent.objects.filter(case=case, action="triage", actor__isnull=False)
    seats = PanelMembership.objects.filter(panel__case=case)
    chairs = Panel.objects.filter(case=case, chair__isnull=False)
    signed = SignOff.objects.filter(case=case)
    by_role: dict[InvolvedAs, frozenset[int]] = {
        InvolvedAs.EMPLOYEE: frozenset({employee_user} if employee_user else ()),
        InvolvedAs.REFERRER: frozenset({case.referring_manager_id}),
        InvolvedAs.TRIAGE: frozenset(triage.values_list("actor_id", flat=True)),
        InvolvedAs.PANEL_MEMBER: frozenset(seats.values_list("user_id", flat=True)),
        InvolvedAs.PANEL_CHAIR: frozenset(chairs.values_list("chair_id", flat=True)),
        InvolvedAs.SIGNOFF: frozenset(signed.values_list("signed_by_id", flat=True)),
        InvolvedAs.INVESTIGATOR: frozenset(),
        InvolvedAs.HEARING_CHAIR: frozenset(),
    }
    if process is not None:
        if process.investigator_id is not None:
            by_role[InvolvedAs.INVESTIGATOR] = frozenset({process.investigator_id})
        if process.hearing_chair_id is not None:
            by_role[InvolvedAs.HEARING_CHAIR] = frozenset({process.hearing_chair_id})
    return Involvement(by_role=by_role)


@dataclass(frozen=True)
class Candidate:
    """A person as the independence rule sees them."""

    member: Member
    active: bool
    facts: CaseFacts


def candidate(case: Case, user_id: int) -> Candidate:
    """``user_id`` and ``case`` as ``panels.rules.independence`` needs them."""
    managers = line_managers()
    member = members_by_id([user_id], managers=managers)[0]
    active = get_user_model().objects.filter(pk=user_id, is_active=True).exists()
    return Candidate(member=member, active=active, facts=case_facts(case, managers=managers))


def staff_users() -> QuerySet[Actor]:
    """Whom a form offers to name: active users with an employee record. The
    service judges each against the case (``panels.rules.independence``)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, employee__isnull=False)
        .order_by("last_name", "first_name", "username")
    )


def process_for(case: Case) -> FormalProcess | None:
    """The case's formal process, with the people it names, or None."""
    return (
        FormalProcess.objects.select_related("investigator", "hearing_chair", "appeal_hearer")
        .filter(case_id=case.pk)
        .first()
    )


@dataclass(frozen=True)
class StepSpell:
    """One spell of a formal step, for the card's timeline."""

    step: str
    label: str
    entered_at: dt.datetime
    due_on: dt.date | None
    left_at: dt.datetime | None

    @property
    def overdue(self) -> bool:
        return self.left_at is None and is_overdue(self.due_on)


@dataclass(frozen=True)
class FormalCard:
    """What the case page and the API show of the process."""

    process: FormalProcess
    spells: list[StepSpell]

    @property
    def stage(self) -> str:
        return formal_stage(self.process)

    @property
    def open_spell(self) -> StepSpell | None:
        return next((s for s in self.spells if s.left_at is None), None)


def formal_stage(process: FormalProcess) -> str:
    """Where the process is, in a word: investigation, hearing, sanctioned
    (waiting for an appeal or conclusion), appeal, or concluded."""
    if process.concluded_at is not None:
        return "concluded"
    if process.appeal_lodged_on is not None:
        return "appeal"
    if process.sanction:
        return "sanctioned"
    if process.investigation_outcome:
        return "hearing"
    return "investigation"


def formal_card(case: Case) -> FormalCard | None:
    """The process and its step spells (two queries), or None without one."""
    process = process_for(case)
    if process is None:
        return None
    labels = dict(Step.choices)
    spells = [
        StepSpell(step, labels.get(step, step), entered, due, left)
        for step, entered, due, left in CaseStep.objects.filter(
            case_id=case.pk, stage="formal", step__in=FORMAL_STEPS
        )
        .order_by("entered_at", "id")
        .values_list("step", "entered_at", "due_on", "left_at")
    ]
    return FormalCard(process=process, spells=spells)


def named_ids(process: FormalProcess | None) -> set[int]:
    """The people the process names: investigator, hearing chair, appeal hearer."""
    if process is None:
        return set()
    ids = (process.investigator_id, process.hearing_chair_id, process.appeal_hearer_id)
    return {i for i in ids if i is not None}


def formal_card_for(user: Viewer, case: Case) -> FormalCard | None:
    """The case's formal card if ``user`` may see it (``access.FormalVisible``),
    else None; None too for a case without a process."""
    if case.stage != "formal" or not access.FormalVisible.allows(user, case):
        return None
    return formal_card(case)
