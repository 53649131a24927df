"""Submitting, resubmitting and withdrawing a referral."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Actor
from audit.services import audit_record
from core import events
from core.errors import Conflict, NotAllowed, ValidationFailed
from staff.models import Employee
from tenancy.policy import trust_policy

from ..access import EmployeeReferable
from ..engine import case_action, flow_state
from ..events import CaseSubmitted
from ..flows import ReferralFlow
from ..just_culture import JustCultureAnswers, just_culture_outcome
from ..models import Case, ConcernCategory, JustCultureAssessment, ReferenceCounter
from ..referral_selectors import open_cases_of
from ..rules import Action
from ..steps import case_step_advance
from .validation import Errors

# A referral about something older than this is almost certainly a typo.
OLDEST_INCIDENT = dt.timedelta(days=5 * 365)
MIN_SUMMARY = 20


class AlreadySubmitted(Conflict):
    """The same form was sent again: its referral exists already (``case``)."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"This referral was submitted already, as {case.reference}.")
        self.case = case


def _next_reference(year: int) -> str:
    """<prefix>-<year>-<5 digits>, numbered per year without gaps under
    concurrency; the prefix is the trust's (``trust_policy().reference_prefix``).

    The increment is one UPDATE (its row lock holds a concurrent submission
    until this transaction ends); only the year's first referral creates
    the counter first.
    """
    counter = ReferenceCounter.objects.filter(year=year)
    if not counter.update(last=F("last") + 1):
        ReferenceCounter.objects.get_or_create(year=year)
        counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{trust_policy().reference_prefix}-{year}-{last:05d}"


def check_just_culture_answers(
    errors: Errors, answers: dict[str, Any] | None
) -> JustCultureAnswers:
    """The guide's answers, checked: known questions, yes/no/blank (also used
    when a panel reviews them)."""
    answers = answers or {}
    names = set(JustCultureAnswers.names())
    for key in answers:
        if key not in names:
            errors.add("just_culture", f"Unknown just culture question {key!r}.")
    clean: dict[str, bool | None] = {}
    for name in names:
        value = answers.get(name)
        if value is not None and not isinstance(value, bool):
            errors.add("just_culture", f"Answer {name} with yes, no or leave it blank.")
            value = None
        clean[name] = value
    return JustCultureAnswers(**clean)


def _check_incident_date(errors: Errors, value: dt.date | None) -> dt.date | None:
    today = timezone.localdate()
    if not isinstance(value, dt.date):
        errors.add("incident_date", "Give the date of the incident.")
        return None
    if value > today:
        errors.add("incident_date", "The incident date cannot be in the future.")
    elif today - value > OLDEST_INCIDENT:
        errors.add("incident_date", "The incident date is more than five years ago; check it.")
    return value


@transaction.atomic
def referral_submit(
    *,
    actor: Actor,
    staff_number: str,
    concern_category: str,
    summary: str,
    incident_date: dt.date | None,
    informal_steps_tried: str = "",
    just_culture: dict[str, Any] | None = None,
    submission_key: uuid.UUID | None = None,
    duplicate_reason: str = "",
    duplicate_needs_reason: bool = False,
) -> Case:
    """A referring manager proposes a referral; it starts at ``submitted``.

    ``submission_key`` (the web form's one-time key): if this manager already
    made a referral with it, nothing is written and ``AlreadySubmitted``
    names that case. ``duplicate_reason`` is kept on the case when the
    employee already has an open case; with ``duplicate_needs_reason`` (the
    web form, which has warned the manager) it is then required.
    """
    if not has_role(actor, Role.MANAGER):
        raise NotAllowed("Only a referring manager can submit a referral.")
    errors = Errors()
    employee = (
        Employee.objects.select_related("line_manager", "org_unit")
        .filter(staff_number=(staff_number or "").strip())
        .first()
    )
    if employee is None:
        errors.add("staff_number", "No employee has that staff number in the reference data.")
    elif not EmployeeReferable.allows(actor, employee.user_id):
        errors.add("staff_number", "You cannot refer yourself. Ask HR for advice.")
    duplicate_reason = (duplicate_reason or "").strip()
    has_open = employee is not None and open_cases_of(employee.pk).exists()
    if has_open and duplicate_needs_reason:
        duplicate_reason = errors.require_text(
            "duplicate_reason", duplicate_reason, "a reason for referring them again"
        )
    errors.require_choice(
        "concern_category", concern_category, ConcernCategory.choices, "the concern category"
    )
    summary = errors.require_text(
        "summary", summary, "a summary of the concern", min_length=MIN_SUMMARY
    )
    incident_date = _check_incident_date(errors, incident_date)
    answers = check_just_culture_answers(errors, just_culture)
    errors.raise_if_any()
    if employee is None or incident_date is None:  # unreachable: reported above
        raise ValidationFailed({"staff_number": ["Give the employee and incident date."]})

    # Taking the number locks the trust's counter until this transaction
    # ends, so a second POST of the same form waits here for the first and
    # then finds its case (READ COMMITTED: this query sees the first's
    # commit). The unique constraint on the key is the backstop.
    reference = _next_reference(timezone.localdate().year)
    if submission_key is not None:
        existing = Case.objects.filter(
            referring_manager=actor, submission_key=submission_key
        ).first()
        if existing is not None:
            raise AlreadySubmitted(existing)  # rolls the number back: no gap
    now = timezone.now()
    process = ReferralFlow.start.run()
    # The stage and the open step come from the flow, read once, before the
    # case row is written with them.
    stage, nodes = flow_state(process.pk)
    if stage is None:  # unreachable: the flow starts at triage
        raise Conflict("The new referral's flow has no open step.")
    case = Case.objects.create(
        process=process,
        reference=reference,
        referring_manager=actor,
        employee=employee,
        employee_staff_number=employee.staff_number,
        employee_name=employee.name,
        employee_job_title=employee.job_title,
        employee_band=employee.band,
        employee_org_unit=employee.org_unit,
        employee_line_manager_name=employee.line_manager.name if employee.line_manager else "",
        employee_ethnic_category=employee.ethnic_category,
        concern_category=concern_category,
        summary=summary,
        incident_date=incident_date,
        informal_steps_tried=(informal_steps_tried or "").strip(),
        duplicate_reason=duplicate_reason if has_open else "",
        submission_key=submission_key,
        stage=stage,
        submitted_at=now,
        updated_at=now,
    )
    outcome = just_culture_outcome(answers)
    JustCultureAssessment.objects.create(
        case=case, outcome=outcome.value if outcome else "", **vars(answers)
    )
    opened = case_step_advance(case=case, open_nodes=nodes, at=now)
    audit_record(
        case=case,
        actor=actor,
        action="submit",
        from_stage="",
        to_stage=case.stage,
        payload={
            "concern_category": concern_category,
            "just_culture_outcome": outcome.value if outcome else None,
        },
        # The manager's reason for referring again, in the chained record too.
        reason=case.duplicate_reason,
    )
    # HR advisers are told, and the triage deadlines set, by the subscribers.
    events.publish(CaseSubmitted(case=case, actor=actor, open_step=opened))
    return case


def referral_resubmit(
    *,
    case_id: int,
    actor: Actor,
    summary: str | None = None,
    informal_steps_tried: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """The referring manager answers a triage return and sends the case back."""
    with case_action(
        case_id=case_id, actor=actor, action=Action.RESUBMIT, expected_version=expected_version
    ) as act:
        errors = Errors()
        note = errors.require_text("note", note, "what you have added or changed")
        if summary is not None:
            summary = errors.require_text(
                "summary", summary, "a summary of the concern", min_length=MIN_SUMMARY
            )
        errors.raise_if_any()
        case = act.case
        if summary is not None:
            case.summary = summary
        if informal_steps_tried is not None:
            case.informal_steps_tried = informal_steps_tried.strip()
        case.triage_route = ""
        act.reason = note
    return act.case


def referral_withdraw(
    *, case_id: int, actor: Actor, reason: str, expected_version: int | None = None
) -> Case:
    """Withdraw an open case (before ``formal``): the flow is cancelled."""
    with case_action(
        case_id=case_id, actor=actor, action=Action.WITHDRAW, expected_version=expected_version
    ) as act:
        errors = Errors()
        reason = errors.require_text("reason", reason, "a reason for withdrawing")
        errors.raise_if_any()
        act.case.outcome = "withdrawn"
        act.reason = reason
    return act.case
