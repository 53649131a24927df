"""The register: writes. Each action is one transaction on a locked case
(``workflow.engine.case_activity``: the flow does not move), bumps the
case's version and appends one audit event.

The audit event carries ids, the kind and the dates, and a reason's SHA-256
only, never its text: a suspension's reason can hold health details, and
the case's path is read by people the register is hidden from (the path
also leaves these events out for them: ``workflow.access.SuspensionVisible``).

A case that leaves the process (closed, withdrawn, or its formal process
concluded) with a measure still active has it lifted with it, on that day,
by the person who closed the case (``suspensions_lift_on_close``): no
measure is left standing on a case nobody reviews any more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Actor
from audit.services import audit_record
from core.errors import Conflict
from tenancy.policy import trust_policy
from workflow.engine import case_activity
from workflow.events import CaseActed
from workflow.models import Case
from workflow.rules import Action
from workflow.services.validation import Errors

from .models import ReviewDecision, Suspension, SuspensionKind, SuspensionReview
from .rules import day_problem, next_review_on, start_problem
from .selectors import active_suspension_forget

# The audit action of a lift made by closing the case (the event is the
# closer's; ``SUSPENSION_EVENTS`` in ``workflow.access`` keeps it off the
# path of those the register is hidden from).
LIFTED_WITH_CASE = "suspension_lifted_with_case"
EVENT_TYPES = (
    (LIFTED_WITH_CASE, "Suspension lifted as the case closed"),
    # Written by notifications.services.delivery when a review notice is sent.
    ("suspension_notice_sent", "Suspension review notice sent"),
)
CLOSE_REASON = "Lifted automatically: the case left the process."


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _decider(errors: Errors, decided_by: Any, case: Case) -> Actor | None:
    """The decision-maker named as having decided, or an error: they must hold
    the role in this trust and not be the case's referring manager."""
    pk = getattr(decided_by, "pk", decided_by)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        errors.add("decided_by", "Choose the decision-maker who decided the measure.")
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not has_role(user, Role.DECISION_MAKER):
        errors.add("decided_by", "The person who decided must be a decision-maker of this trust.")
        return None
    if user.pk == case.referring_manager_id:
        errors.add("decided_by", "The referring manager cannot be the one who decided the measure.")
        return None
    return user


def _date(errors: Errors, field: str, value: Any, what: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(field, f"Give {what} as a date.")
    return None


def suspension_record(
    *,
    case_id: int,
    actor: Actor,
    kind: str,
    reason: str,
    decided_by: Any,
    started_on: Any,
    expected_version: int | None = None,
) -> Case:
    """Put a suspension, restriction or redeployment on the register, with its
    first review ``suspension_review_working_days`` working days after it
    started (the trust's policy, kept on the row)."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.RECORD_SUSPENSION,
        expected_version=expected_version,
    ) as act:
        case = act.case
        errors = Errors()
        kind = errors.require_choice("kind", kind, SuspensionKind.choices, "the kind of measure")
        reason = errors.require_text("reason", reason, "the reason for the measure")
        decider = _decider(errors, decided_by, case)
        start = _date(errors, "started_on", started_on, "the day it started")
        if start is not None:
            referred = timezone.localdate(case.submitted_at)
            if why := start_problem(start, today=timezone.localdate(), referred_on=referred):
                errors.add("started_on", why)
        errors.raise_if_any()
        if start is None or decider is None:  # each added an error, raised above
            raise RuntimeError("unreachable")
        policy = trust_policy()
        every = policy.suspension_review_working_days
        measure = Suspension.objects.create(
            case=case,
            kind=kind,
            reason=reason,
            decided_by=decider,
            recorded_by=actor,
            recorded_at=timezone.now(),
            started_on=start,
            review_every=every,
            review_due_on=next_review_on(start, every, policy.bank_holiday_region),
            # The sweep looks at it from its start (notifications.services.suspensions).
            next_notice_on=start,
        )
        active_suspension_forget(case)
        act.payload = {
            "suspension": measure.pk,
            "kind": kind,
            "decided_by": decider.pk,
            "started_on": start.isoformat(),
            "review_due_on": measure.review_due_on.isoformat() if measure.review_due_on else None,
            "reason_sha256": _sha256(reason),
        }
    return act.case


def _lift(measure: Suspension, *, on: dt.date, by: Actor, reason: str) -> None:
    measure.lifted_on = on
    measure.lifted_by = by
    measure.lift_reason = reason
    measure.review_due_on = None
    measure.next_notice_on = None
    measure.save(
        update_fields=["lifted_on", "lifted_by", "lift_reason", "review_due_on", "next_notice_on"]
    )


def _locked_active(case: Case) -> Suspension:
    active_suspension_forget(case)
    measure = (
        Suspension.objects.select_for_update()
        .filter(case_id=case.pk, lifted_on__isnull=True)
        .first()
    )
    if measure is None:  # the rule's ``ready`` said there is one, under the case lock
        raise Conflict("There is no active suspension or restriction on this case.")
    return measure


def suspension_review(
    *,
    case_id: int,
    actor: Actor,
    reviewed_on: Any,
    decision: str,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Review the active measure: continue it (the next review falls its
    interval in working days after this one) or lift it, with a reason."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.REVIEW_SUSPENSION,
        expected_version=expected_version,
    ) as act:
        measure = _locked_active(act.case)
        errors = Errors()
        decision = errors.require_choice(
            "decision", decision, ReviewDecision.choices, "whether to continue or lift"
        )
        reason = errors.require_text("reason", reason, "the reason for the decision")
        day = _date(errors, "reviewed_on", reviewed_on, "the day of the review")
        last = measure.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True)
        not_before = max(measure.started_on, last.first() or measure.started_on)
        if day is not None and (
            why := day_problem(
                day, today=timezone.localdate(), not_before=not_before, what="review"
            )
        ):
            errors.add("reviewed_on", why)
        errors.raise_if_any()
        if day is None:  # it added an error, raised above
            raise RuntimeError("unreachable")
        next_due: dt.date | None = None
        if decision == ReviewDecision.CONTINUE:
            region = trust_policy().bank_holiday_region
            next_due = next_review_on(day, measure.review_every, region)
            measure.review_due_on = next_due
            measure.next_notice_on = day
            measure.save(update_fields=["review_due_on", "next_notice_on"])
        else:
            _lift(measure, on=day, by=actor, reason=reason)
        review = SuspensionReview.objects.create(
            suspension=measure,
            reviewed_on=day,
            reviewed_by=actor,
            decision=decision,
            reason=reason,
            next_due_on=next_due,
        )
        act.payload = {
            "suspension": measure.pk,
            "review": review.pk,
            "kind": measure.kind,
            "decision": decision,
            "reviewed_on": day.isoformat(),
            "next_due_on": next_due.isoformat() if next_due else None,
            "reason_sha256": _sha256(reason),
        }
    return act.case


def suspension_lift(
    *,
    case_id: int,
    actor: Actor,
    lifted_on: Any,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Lift the active measure (between reviews), with the day and a reason."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.LIFT_SUSPENSION,
        expected_version=expected_version,
    ) as act:
        measure = _locked_active(act.case)
        errors = Errors()
        reason = errors.require_text("reason", reason, "the reason for lifting it")
        day = _date(errors, "lifted_on", lifted_on, "the day it was lifted")
        if day is not None and (
            why := day_problem(
                day, today=timezone.localdate(), not_before=measure.started_on, what="lift"
            )
        ):
            errors.add("lifted_on", why)
        errors.raise_if_any()
        if day is None:  # it added an error, raised above
            raise RuntimeError("unreachable")
        _lift(measure, on=day, by=actor, reason=reason)
        act.payload = {
            "suspension": measure.pk,
            "kind": measure.kind,
            "lifted_on": day.isoformat(),
            "reason_sha256": _sha256(reason),
        }
    return act.case


def suspensions_lift_on_close(event: CaseActed) -> None:
    """A case left the process (subscribed to ``CaseActed``): lift its active
    measure that day, in the same transaction, by whoever closed it, and
    record it. Costs a query only when the case is no longer under way."""
    case = event.case
    if case.under_way or event.action in _OWN_ACTIONS:
        return
    measure = (
        Suspension.objects.select_for_update()
        .filter(case_id=case.pk, lifted_on__isnull=True)
        .first()
    )
    if measure is None:
        return
    day = max(timezone.localdate(), measure.started_on)
    _lift(measure, on=day, by=event.actor, reason=CLOSE_REASON)
    active_suspension_forget(case)
    audit_record(
        case=case,
        actor=event.actor,
        action=LIFTED_WITH_CASE,
        from_stage=case.stage,
        to_stage=case.stage,
        payload={
            "suspension": measure.pk,
            "kind": measure.kind,
            "lifted_on": day.isoformat(),
            "closed_by": str(event.action),
        },
    )


_OWN_ACTIONS = frozenset(
    {Action.RECORD_SUSPENSION, Action.REVIEW_SUSPENSION, Action.LIFT_SUSPENSION}
)

__all__ = ["suspension_lift", "suspension_record", "suspension_review"]
