"""Writes of the formal process: opening it, and each action's service.

Every action is an activity of the engine (``workflow.engine.case_activity``):
the case is locked, the rule checked (404, 403, 409 stage or version, 409
not yet), the case's version bumped and one audit event written, in one
transaction. The flow has ended (the case's stage is ``formal`` for good),
so no task moves; the process keeps its own step spells (``CaseStep`` at
stage ``formal``: investigate, hearing, appeal), each due by the trust's
step limit, and announces them (``FormalStepChanged``) so the reminders
and escalations of every other step apply unchanged.

Who is named is judged by the panel rule engine (``panels.rules.independence``):
the panel's conflicts of interest plus every earlier part in the case.
Audit payloads carry ids, choices and hashes, never the free text of a
reason or grounds (``casefile.notes`` does the same).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from accounts.types import Actor
from core import events
from core.errors import Conflict
from panels.models import CompanionRole
from panels.rules import FormalRole, independence
from workflow.deadlines import due_on_for
from workflow.engine import CaseAction, case_activity
from workflow.events import CaseActed
from workflow.models import Case, CaseStep, Stage, Step
from workflow.rules import Action
from workflow.services.validation import Errors

from .actions import remember
from .events import FormalStepChanged
from .models import AppealOutcome, FormalProcess, InvestigationOutcome, Sanction
from .selectors import candidate, involvement

MAX_TEXT = 10_000


# --- opening -------------------------------------------------------------------------


def formal_open_on_signoff(event: CaseActed) -> None:
    """A sign-off approved a formal investigation (subscribed to ``CaseActed``):
    open the case's formal process and its investigate step.

    Runs in the sign-off's transaction, under its case lock, after the case
    reached ``formal`` (the database refuses a process for any other case)."""
    if event.to_stage != Stage.FORMAL or event.from_stage == Stage.FORMAL:
        return
    formal_open(case=event.case, at=event.case.formal_commissioned_at or timezone.now())


def formal_open(*, case: Case, at: dt.datetime) -> FormalProcess:
    """Open ``case``'s process: the process row, and the investigate spell
    due ``investigate`` working days later. A case enters ``formal`` once
    (the stage is terminal), so this runs once per case; a second process
    would break the one-to-one key. The engine closed the sign-off's spell."""
    process = FormalProcess.objects.create(case=case, opened_at=at)
    remember(case, process)
    _step_open(case, Step.INVESTIGATE, at, close=False)
    return process


def _step_open(case: Case, step: Step, at: dt.datetime, *, close: bool = True) -> CaseStep:
    """Close the case's open spell (if any) and open ``step``'s."""
    if close:
        CaseStep.objects.filter(case=case, left_at__isnull=True).update(left_at=at)
    spell = CaseStep.objects.create(
        case=case, step=step, stage=Stage.FORMAL, entered_at=at, due_on=due_on_for(step, at)
    )
    events.publish(FormalStepChanged(case=case, open_step=spell))
    return spell


def _step_close(case: Case, at: dt.datetime) -> None:
    CaseStep.objects.filter(case=case, left_at__isnull=True).update(left_at=at)
    events.publish(FormalStepChanged(case=case, open_step=None))


def _conclude(case: Case, process: FormalProcess, at: dt.datetime) -> None:
    process.concluded_at = at
    case.formal_concluded_at = at  # saved with the case by the engine
    _step_close(case, at)


# --- helpers -----------------------------------------------------------------------


def _process(act: CaseAction) -> FormalProcess:
    process = FormalProcess.objects.filter(case_id=act.case.pk).first()
    if process is None:  # the rules' ``ready`` refuse first; kept as a guard
        raise Conflict("This case has no formal process recorded.")
    remember(act.case, process)  # the instance written below
    return process


def _user_id(value: Any) -> int | None:
    if value is None or value == "":
        return None
    pk = getattr(value, "pk", value)
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def _check_named(
    errors: Errors,
    field: str,
    case: Case,
    process: FormalProcess,
    value: Any,
    named_as: FormalRole,
    what: str,
) -> int | None:
    """The person named as ``named_as``, or an error on ``field`` naming
    every rule they break (``panels.rules.independence``)."""
    user_id = _user_id(value)
    if user_id is None:
        errors.add(field, f"Choose {what}.")
        return None
    who = candidate(case, user_id)
    reasons = independence(
        who.member, who.facts, involvement(case, process), named_as=named_as, active=who.active
    )
    for reason in reasons:
        errors.add(field, f"{reason.rule.label}: {who.member.name} {reason.text}.")
    return user_id


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _date(errors: Errors, field: str, value: Any, what: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        errors.add(field, f"Give {what}.")
        return None
    if value > timezone.localdate():
        errors.add(field, f"{what[0].upper()}{what[1:]} cannot be in the future.")
    return value


@contextmanager
def _formal_action(
    action: Action, *, case_id: int, actor: Actor, expected_version: int | None
) -> Iterator[tuple[CaseAction, FormalProcess, Errors]]:
    """One of HR's steps of the process: the engine's activity (the case
    locked, the rule checked, the version bumped, one audit event), the
    case's process and the form's errors. The process is saved when the step
    ends without an error; the order the Acas Code sets is also the table's
    check constraints."""
    with case_activity(
        case_id=case_id, actor=actor, action=action, expected_version=expected_version
    ) as act:
        process = _process(act)
        yield act, process, Errors()
        process.save()


# --- the actions -------------------------------------------------------------------


def formal_investigator_name(
    *, case_id: int, actor: Actor, investigator: Any, expected_version: int | None = None
) -> Case:
    """HR names the investigator (or names another before the outcome is in).

    Refused, naming each rule, for anyone with a conflict of interest
    (the panel's) or who played an earlier part in the case."""
    with _formal_action(
        Action.NAME_INVESTIGATOR, case_id=case_id, actor=actor, expected_version=expected_version
    ) as (act, process, errors):
        case = act.case
        user_id = _check_named(
            errors,
            "investigator",
            case,
            process,
            investigator,
            FormalRole.INVESTIGATOR,
            "the investigator",
        )
        errors.raise_if_any()
        before = process.investigator_id
        process.investigator_id = user_id
        process.investigator_named_at = timezone.now()
        act.payload = {"named": user_id, "as": "investigator", "replaces": before}
    return act.case


def formal_investigation_outcome_record(
    *,
    case_id: int,
    actor: Actor,
    outcome: str,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """HR records the investigation's outcome and why. No case to answer and
    informal action conclude the process; a hearing opens its step."""
    with _formal_action(
        Action.RECORD_INVESTIGATION_OUTCOME,
        case_id=case_id,
        actor=actor,
        expected_version=expected_version,
    ) as (act, process, errors):
        case = act.case
        outcome = errors.require_choice(
            "outcome", outcome, InvestigationOutcome.choices, "the investigation's outcome"
        )
        reason = errors.require_text("reason", reason, "the reason", max_length=MAX_TEXT)
        errors.raise_if_any()
        now = timezone.now()
        process.investigation_outcome = outcome
        process.outcome_reason = reason
        process.outcome_recorded_at = now
        if outcome == InvestigationOutcome.HEARING:
            _step_open(case, Step.HEARING, now)
        else:
            _conclude(case, process, now)
        act.payload = {
            "outcome": outcome,
            "reason_sha256": _sha(reason),
            "concluded": process.concluded_at is not None,
        }
    return act.case


def formal_hearing_schedule(
    *,
    case_id: int,
    actor: Actor,
    hearing_on: Any,
    chair: Any,
    accompaniment_told: bool | None = None,
    companion_name: str = "",
    companion_role: str = "",
    expected_version: int | None = None,
) -> Case:
    """HR arranges the disciplinary hearing: when, and who chairs it (not
    previously involved, and not the investigator: Acas Code para 6). The
    employee must have been told of their right to be accompanied
    (Employment Relations Act 1999 s.10); a companion may be named now or at
    the hearing."""
    with _formal_action(
        Action.SCHEDULE_HEARING, case_id=case_id, actor=actor, expected_version=expected_version
    ) as (act, process, errors):
        case = act.case
        if not isinstance(hearing_on, dt.datetime):
            errors.add("hearing_on", "Give the hearing's date and time.")
        elif process.outcome_recorded_at and hearing_on < process.outcome_recorded_at:
            errors.add("hearing_on", "The hearing cannot be before the investigation's outcome.")
        chair_id = _check_named(
            errors, "chair", case, process, chair, FormalRole.HEARING_CHAIR, "the hearing's chair"
        )
        if accompaniment_told is not True:
            errors.add(
                "accompaniment_told",
                "Confirm the employee was told of their right to be accompanied.",
            )
        name = (companion_name or "").strip()
        if len(name) > 200:
            errors.add("companion_name", "Keep the companion's name under 200 characters.")
        if companion_role:
            errors.require_choice(
                "companion_role", companion_role, CompanionRole.choices, "the companion's role"
            )
        errors.raise_if_any()
        process.hearing_on = hearing_on
        process.hearing_chair_id = chair_id
        process.hearing_companion_name = name
        act.payload = {
            "named": chair_id,
            "as": "hearing_chair",
            "hearing_on": hearing_on.isoformat(),
            "accompaniment_told": True,
            "companion_role": companion_role or None,
            "companion_named": bool(name),
        }
    return act.case


def formal_hearing_outcome_record(
    *,
    case_id: int,
    actor: Actor,
    held_on: Any,
    sanction: str,
    detail: str = "",
    companion_name: str = "",
    expected_version: int | None = None,
) -> Case:
    """HR records the hearing: the day it was held, who accompanied the
    employee, and the sanction with its detail. No sanction concludes the
    process; any other waits for an appeal (``LODGE_APPEAL``) or HR's
    conclusion once the time to appeal has passed (``CONCLUDE_FORMAL``)."""
    with _formal_action(
        Action.RECORD_HEARING_OUTCOME,
        case_id=case_id,
        actor=actor,
        expected_version=expected_version,
    ) as (act, process, errors):
        case = act.case
        held = _date(errors, "held_on", held_on, "the day the hearing was held")
        outcome_on = process.outcome_recorded_at
        if held is not None and outcome_on is not None and held < timezone.localdate(outcome_on):
            errors.add("held_on", "The hearing cannot be before the investigation's outcome.")
        sanction = errors.require_choice("sanction", sanction, Sanction.choices, "the sanction")
        detail = (detail or "").strip()
        if sanction and sanction != Sanction.NONE and not detail:
            errors.add("detail", "Give the sanction's detail (what, and for how long).")
        if len(detail) > MAX_TEXT:
            errors.add("detail", f"Keep the detail under {MAX_TEXT} characters.")
        name = (companion_name or "").strip()
        if len(name) > 200:
            errors.add("companion_name", "Keep the companion's name under 200 characters.")
        errors.raise_if_any()
        now = timezone.now()
        process.hearing_held_on = held
        if name:
            process.hearing_companion_name = name
        process.sanction = sanction
        process.sanction_detail = detail
        process.sanction_recorded_at = now
        if sanction == Sanction.NONE:
            _conclude(case, process, now)
        else:
            _step_close(case, now)
        act.payload = {
            "sanction": sanction,
            "held_on": held.isoformat() if held else None,
            "detail_sha256": _sha(detail) if detail else None,
            "concluded": process.concluded_at is not None,
        }
    return act.case


def formal_appeal_lodge(
    *,
    case_id: int,
    actor: Actor,
    lodged_on: Any,
    grounds: str,
    hearer: Any,
    expected_version: int | None = None,
) -> Case:
    """HR records the employee's appeal against the sanction, its grounds,
    and who hears it: nobody previously involved in the case in any part
    (Acas Code para 27)."""
    with _formal_action(
        Action.LODGE_APPEAL, case_id=case_id, actor=actor, expected_version=expected_version
    ) as (act, process, errors):
        case = act.case
        lodged = _date(errors, "lodged_on", lodged_on, "the day the appeal was lodged")
        sanctioned = process.sanction_recorded_at
        if lodged is not None and sanctioned and lodged < timezone.localdate(sanctioned):
            errors.add("lodged_on", "An appeal cannot be lodged before the sanction.")
        grounds = errors.require_text("grounds", grounds, "the grounds", max_length=MAX_TEXT)
        hearer_id = _check_named(
            errors,
            "hearer",
            case,
            process,
            hearer,
            FormalRole.APPEAL_HEARER,
            "who hears the appeal",
        )
        errors.raise_if_any()
        now = timezone.now()
        process.appeal_lodged_on = lodged
        process.appeal_grounds = grounds
        process.appeal_hearer_id = hearer_id
        _step_open(case, Step.APPEAL, now)
        act.payload = {
            "named": hearer_id,
            "as": "appeal_hearer",
            "lodged_on": lodged.isoformat() if lodged else None,
            "grounds_sha256": _sha(grounds),
        }
    return act.case


def formal_appeal_outcome_record(
    *, case_id: int, actor: Actor, outcome: str, expected_version: int | None = None
) -> Case:
    """HR records the appeal's outcome; it is final (Acas Code para 29), so
    the process concludes."""
    with _formal_action(
        Action.RECORD_APPEAL_OUTCOME,
        case_id=case_id,
        actor=actor,
        expected_version=expected_version,
    ) as (act, process, errors):
        case = act.case
        outcome = errors.require_choice(
            "outcome", outcome, AppealOutcome.choices, "the appeal's outcome"
        )
        errors.raise_if_any()
        now = timezone.now()
        process.appeal_outcome = outcome
        process.appeal_decided_at = now
        _conclude(case, process, now)
        act.payload = {"outcome": outcome, "concluded": True}
    return act.case


def formal_conclude(*, case_id: int, actor: Actor, expected_version: int | None = None) -> Case:
    """HR concludes the process after a sanction the employee did not appeal
    (once the trust's time to appeal has passed)."""
    with _formal_action(
        Action.CONCLUDE_FORMAL, case_id=case_id, actor=actor, expected_version=expected_version
    ) as (act, process, _errors):
        case = act.case
        now = timezone.now()
        _conclude(case, process, now)
        act.payload = {"concluded": True, "sanction": process.sanction}
    return act.case
