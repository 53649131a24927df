"""Wellbeing writes: naming the contact, recording a check-in, and keeping
each case's next check-in due (docs/wellbeing.md, ADR 0028).

Both actions are engine activities (``workflow.engine.case_activity``):
the case is locked, the rule checked (``wellbeing.actions``), the version
bumped and one audit event written, in one transaction. The audit log is
read more widely than a check-in's notes (which can hold health details),
so an event carries ids, dates, flags and the notes' SHA-256, never text.

The schedule (``CheckInSchedule``) is one row per case with a contact: the
next check-in is due ``trust_policy().wellbeing_checkin_working_days``
working days (the trust's bank-holiday region) after the last check-in,
or after the contact was named. A case that is no longer under way loses
its row, so the reminder sweep never reads it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.utils import timezone

from accounts.types import Actor
from core.errors import ValidationFailed
from core.working_days import add_working_days
from tenancy.policy import trust_policy
from workflow.engine import case_activity
from workflow.events import CaseActed
from workflow.models import Case
from workflow.rules import Action
from workflow.services.contact import contact_problem, contact_user
from workflow.services.validation import Errors

from .models import NOTES_MAX, CheckIn, CheckInHow, CheckInSchedule

# Control characters but line breaks and tabs (a NUL would be a 500 on PostgreSQL).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

__all__ = ["checkin_record", "wellbeing_contact_set"]


def next_due(after: dt.date) -> dt.date:
    """When the check-in after one on ``after`` is due, in the current trust."""
    policy = trust_policy()
    return add_working_days(
        after, policy.wellbeing_checkin_working_days, policy.bank_holiday_region
    )


def schedule_from(case: Case, day: dt.date) -> CheckInSchedule:
    """Make the case's next check-in due counted from ``day`` (its contact
    not yet told of it)."""
    schedule, _ = CheckInSchedule.objects.update_or_create(
        case=case, defaults={"due_on": next_due(day), "told_for": None}
    )
    return schedule


def wellbeing_contact_set(
    *,
    case_id: int,
    actor: Actor,
    wellbeing_contact: int | None,
    expected_version: int | None = None,
) -> Case:
    """Name another wellbeing contact (an HR adviser, while the case is under
    way). The next check-in keeps its due date; the new contact is the one
    told of it. A case without a schedule yet gets one, from today."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.SET_WELLBEING_CONTACT,
        expected_version=expected_version,
    ) as act:
        case = act.case
        errors = Errors()
        contact = contact_user(wellbeing_contact)
        if wellbeing_contact is None:
            errors.add("wellbeing_contact", "Choose the employee's wellbeing contact.")
        elif why := contact_problem(case, contact):
            errors.add("wellbeing_contact", why)
        elif contact.pk == case.wellbeing_contact_id:
            errors.add("wellbeing_contact", "That person is already the wellbeing contact.")
        errors.raise_if_any()
        previous = case.wellbeing_contact_id
        case.wellbeing_contact = contact
        updated = CheckInSchedule.objects.filter(case=case).update(told_for=None)
        if not updated:
            schedule_from(case, timezone.localdate())
        act.payload = {"wellbeing_contact": contact.pk, "previous": previous}
    return act.case


def checkin_record(
    *,
    case_id: int,
    actor: Actor,
    held_on: dt.date | None,
    how: str,
    notes: str = "",
    declined: bool = False,
    expected_version: int | None = None,
) -> Case:
    """Record a wellbeing check-in with the employee (HR or the named contact,
    while the case is under way): the day, how, whether the employee
    declined contact, and notes for HR and the contact. The next one is due
    N working days after the latest check-in."""
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.RECORD_CHECKIN,
        expected_version=expected_version,
    ) as act:
        case = act.case
        errors = Errors()
        today = timezone.localdate()
        if held_on is None:
            errors.add("held_on", "Give the day of the check-in.")
        elif held_on > today:
            errors.add("held_on", "The check-in's day cannot be in the future.")
        elif held_on < timezone.localdate(case.submitted_at):
            errors.add("held_on", "The check-in's day cannot be before the referral.")
        if how not in CheckInHow.values:
            errors.add("how", "Say how the check-in was held.")
        notes = _CONTROLS.sub("", notes or "").strip()
        if len(notes) > NOTES_MAX:
            errors.add("notes", f"Keep the notes under {NOTES_MAX} characters.")
        if not isinstance(declined, bool):
            errors.add("declined", "Say whether the employee declined contact.")
        errors.raise_if_any()
        if held_on is None:  # refused above; says so to the type checker
            raise ValidationFailed({"held_on": ["Give the day of the check-in."]})
        checkin = CheckIn.objects.create(
            case=case,
            held_on=held_on,
            by=actor,
            how=how,
            notes=notes,
            declined=declined,
            recorded_at=timezone.now(),
        )
        latest = (
            CheckIn.objects.filter(case=case).order_by("-held_on").values_list("held_on", flat=True)
        )[0]
        schedule_from(case, latest)
        act.payload = {
            "checkin": checkin.pk,
            "held_on": f"{held_on:%Y-%m-%d}",
            "how": how,
            "declined": declined,
            "notes_sha256": hashlib.sha256(notes.encode()).hexdigest() if notes else "",
        }
    return act.case


def schedule_on_case_acted(event: CaseActed) -> None:
    """Keep the schedule in step with the case (subscribed to ``CaseActed``).

    Triage that names a contact for a case under way starts the schedule
    (from today, unless one is running: a case triaged again after it was
    returned keeps it). A case no longer under way (closed, withdrawn)
    loses its row: nobody is reminded about it again."""
    case = event.case
    if not case.under_way:
        CheckInSchedule.objects.filter(case=case).delete()
        return
    if event.action == Action.TRIAGE and case.wellbeing_contact_id is not None:
        # One statement: a row already running (a case triaged again) is kept.
        CheckInSchedule.objects.bulk_create(
            [CheckInSchedule(case=case, due_on=next_due(timezone.localdate()))],
            ignore_conflicts=True,
        )
