"""Reminders and escalations around each step's due date.

When a step opens (``step_notices_schedule``, called in the action's
transaction) up to three ``ScheduledNotice`` rows are written for it, each
with the date it fires on: a reminder ``FTP_REMINDER_WORKING_DAYS_BEFORE``
working days before the due date, the HR lead's escalation on the due date,
the decision-makers' ``FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS``
working days after it. Notices of a step that closes are cancelled.

The sweep (``deadline_notices_fire``) claims the unfired notices due by
today through a partial index and records their notifications. It reads
only what is due: open cases that are not due cost nothing. A notice never
moves a case.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.working_days import add_working_days, working_days_before
from workflow.events import CaseActed, CaseSubmitted
from workflow.models import Case, CaseStep

from ..models import Kind, ScheduledNotice
from ..selectors import hr_leads, independent_decision_makers, roles_memoised, step_owners
from .record import notifications_record

logger = logging.getLogger(__name__)

BATCH = 500


def notice_dates(*, entered_on: dt.date, due_on: dt.date) -> dict[str, dt.date]:
    """When each notice about a step entered on ``entered_on`` and due on
    ``due_on`` fires. A reminder that would fall before the step began (a
    short limit) fires on the day it began."""
    reminder = working_days_before(due_on, settings.FTP_REMINDER_WORKING_DAYS_BEFORE)
    return {
        Kind.REMINDER: max(reminder, entered_on),
        Kind.OVERDUE_HR: due_on,
        Kind.OVERDUE_DECISION_MAKER: add_working_days(
            due_on, settings.FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS
        ),
    }


def step_notices_schedule(*, case: Case, open_step: CaseStep | None) -> int:
    """Cancel the notices of the case's closed steps and set ``open_step``'s
    (the spell the action just opened, or None when the case left the flow).

    Call in the action's transaction, after the step spells were written.
    Idempotent (unique on step and kind). Returns how many were set.
    """
    now = timezone.now()
    stale = ScheduledNotice.objects.filter(step__case=case, fired_at__isnull=True)
    if open_step is not None:
        stale = stale.exclude(step=open_step)
    stale.update(fired_at=now, skipped=True)
    if open_step is None or open_step.due_on is None:
        return 0
    dates = notice_dates(
        entered_on=timezone.localdate(open_step.entered_at), due_on=open_step.due_on
    )
    made = ScheduledNotice.objects.bulk_create(
        [ScheduledNotice(step=open_step, kind=k, fire_on=d) for k, d in dates.items()],
        ignore_conflicts=True,
    )
    return len(made)


def deadline_notices_fire(*, batch: int = BATCH) -> int:
    """Fire one batch of due notices; how many were claimed (0: none left).

    The claim is one indexed read (``fire_on <= today`` among unfired rows,
    ``SKIP LOCKED`` so overlapping sweeps split the work) and one UPDATE,
    in the same transaction as the notifications it records: a crash
    leaves the notices unfired and the next sweep fires them, once.
    """
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            ScheduledNotice.objects.filter(fired_at__isnull=True, fire_on__lte=today)
            .order_by("fire_on", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return 0
        ScheduledNotice.objects.filter(pk__in=ids).update(fired_at=now)
        notices = ScheduledNotice.objects.filter(pk__in=ids).select_related(
            "step__case__referring_manager"
        )
        closed = []
        with roles_memoised():
            for notice in notices:
                if notice.step.left_at is not None:
                    closed.append(notice.pk)
                    continue
                _fire(notice)
        ScheduledNotice.objects.filter(pk__in=closed).update(skipped=True)
    logger.info("deadline sweep: %s notices due, %s for closed steps", len(ids), len(closed))
    return len(ids)


def _fire(notice: ScheduledNotice) -> None:
    step = notice.step
    case = step.case
    if notice.kind == Kind.REMINDER:
        recipients = step_owners(case, step.step)
    elif notice.kind == Kind.OVERDUE_HR:
        recipients = [u for u in hr_leads() if u.pk != case.referring_manager_id]
    else:
        recipients = independent_decision_makers(case)
    if not recipients:
        logger.warning(
            "notice %s (%s) on case %s has nobody to tell", notice.pk, notice.kind, case.pk
        )
    notifications_record(
        event_key=f"{notice.kind}:step{step.pk}",
        kind=notice.kind,
        recipients=recipients,
        case=case,
        step=step.step,
        due_on=step.due_on,
    )


def deadline_sweep() -> int:
    """Fire every due notice, batch by batch; how many were claimed."""
    total = 0
    while fired := deadline_notices_fire():
        total += fired
    return total


def step_notices_on_submit(event: CaseSubmitted) -> None:
    """A new case waits for triage (subscribed to ``CaseSubmitted``): set its notices."""
    step_notices_schedule(case=event.case, open_step=event.open_step)


def step_notices_on_action(event: CaseActed) -> None:
    """The flow moved (subscribed to ``CaseActed``): the closed step's notices are
    cancelled and the open step's set. Recording during a step changes none."""
    if event.flow_moved:
        step_notices_schedule(case=event.case, open_step=event.open_step)
