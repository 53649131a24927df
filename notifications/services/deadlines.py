"""Reminders and escalations around each step's due date.

When a step opens (``step_notices_schedule``, called in the action's
transaction) up to three ``ScheduledNotice`` rows are written for it, each
with the date it fires on: a reminder ``FTP_REMINDER_WORKING_DAYS_BEFORE``
working days before the due date, the HR lead's escalation on the due date,
the decision-makers' ``FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS``
working days after it. Notices of a step that closes are deleted: the
table is a queue of what is still to fire.

The sweep (``deadline_notices_fire``) takes the notices due by today off
the queue through an index on the date and records their notifications. It reads
only what is due: open cases that are not due cost nothing. It works in
batches of ``BATCH`` notices, each costing the same few queries however
many it holds (issue 14: a thousand due notices once took 6,015 queries
and eleven seconds). A notice never moves a case.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from accounts.types import Actor
from core.working_days import add_working_days, working_days_before
from formal.events import FormalStepChanged
from tenancy.policy import trust_policy
from workflow.events import CaseActed, CaseSubmitted
from workflow.models import Case, CaseStep

from ..models import Kind, ScheduledNotice
from ..selectors import (
    HR_STEPS,
    OpenSpell,
    hr_case_owners,
    hr_leads,
    independent_decision_makers_many,
    roles_memoised,
    step_owners_many,
)
from .batch import NoticeEvent, notifications_record_many
from .covering import cover_for, covered_told
from .notices_sql import deadline_notices_record, due_notices_claim

logger = logging.getLogger(__name__)

# Notices per batch. A batch is one transaction holding row locks on its
# notices only, committed within a fraction of a second; larger batches
# share each batch's fixed cost (its claim, its few reads, its commit)
# among more notices.
BATCH = 1000


def notice_dates(*, entered_on: dt.date, due_on: dt.date) -> dict[str, dt.date]:
    """When each notice about a step entered on ``entered_on`` and due on
    ``due_on`` fires. A reminder that would fall before the step began (a
    short limit) fires on the day it began. The days and the bank holidays
    are the current trust's (``trust_policy()``)."""
    policy = trust_policy()
    region = policy.bank_holiday_region
    reminder = working_days_before(due_on, policy.reminder_working_days_before, region)
    return {
        Kind.REMINDER: max(reminder, entered_on),
        Kind.OVERDUE_HR: due_on,
        Kind.OVERDUE_DECISION_MAKER: add_working_days(
            due_on, policy.escalate_decision_maker_after_working_days, region
        ),
    }


def step_notices_schedule(*, case: Case, open_step: CaseStep | None) -> int:
    """Cancel the notices of the case's closed steps and set ``open_step``'s
    (the spell the action just opened, or None when the case left the flow).

    Call in the action's transaction, after the step spells were written.
    Idempotent (unique on step and kind). Returns how many were set.
    """
    # The closed spells' notices only: the formal process (formal/) opens its
    # spell within the sign-off's own reaction, which must not cancel it.
    stale = ScheduledNotice.objects.filter(step__case=case, step__left_at__isnull=False)
    if open_step is not None:
        stale = stale.exclude(step=open_step)
    stale.delete()
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

    A bounded number of queries per batch, whatever its size: the claim
    takes the notices due by today off the queue through the index on
    ``fire_on`` (``SKIP LOCKED``, so overlapping sweeps split the work,
    locking the notices only, never their cases, which actions lock
    ``NOWAIT``) with their step spells and cases; the recipients of the
    whole batch take one query per kind of fact; their notifications and
    deliveries are written by one statement (``notices_sql``; through
    ``notifications_record_many`` off PostgreSQL) and queued once, after
    commit. A notice whose step has closed meanwhile tells nobody. All in
    one transaction: a crash puts the notices back and the next sweep fires
    them, once. The audit
    trail records each reminder and escalation as it is sent
    (``delivery_send``), as for every notification.
    """
    with transaction.atomic():
        due = _claim(batch)
        if not due:
            return 0
        closed = [d.pk for d in due if d.left_at is not None]
        with roles_memoised():
            _record([d for d in due if d.left_at is None], timezone.now())
    logger.info("deadline sweep: %s notices due, %s for closed steps", len(due), len(closed))
    return len(due)


def _claim(batch: int) -> list[_Due]:
    """Take up to ``batch`` notices due by today off the queue (deleted: a
    rollback puts them back), with their step spells and cases. On
    PostgreSQL one statement (``notices_sql.due_notices_claim``); elsewhere
    the same in four."""
    today = timezone.localdate()
    if _in_one_statement():
        return [_Due(*row) for row in due_notices_claim(batch=batch, today=today)]
    claimed = list(
        ScheduledNotice.objects.filter(fire_on__lte=today)
        .order_by("fire_on", "pk")
        .values_list("pk", "kind", "step_id")[:batch]
    )
    if not claimed:
        return []
    steps = CaseStep.objects.filter(pk__any_of={step_id for _, _, step_id in claimed})
    spells = {
        pk: (step, due_on, left_at, case_id)
        for pk, step, due_on, left_at, case_id in steps.values_list(
            "pk", "step", "due_on", "left_at", "case_id"
        )
    }
    on_cases = Case.objects.filter(pk__any_of={spell[3] for spell in spells.values()})
    cases = {
        pk: (process_id, manager_id)
        for pk, process_id, manager_id in on_cases.values_list(
            "pk", "process_id", "referring_manager_id"
        )
    }
    ScheduledNotice.objects.filter(pk__any_of=[pk for pk, _, _ in claimed]).delete()
    due = []
    for pk, kind, step_id in claimed:
        step, due_on, left_at, case_id = spells[step_id]
        process_id, manager_id = cases[case_id]
        due.append(_Due(pk, kind, step_id, step, due_on, left_at, case_id, process_id, manager_id))
    return due


class _Due(NamedTuple):
    pk: int
    kind: str
    step_id: int
    step: str
    due_on: dt.date | None
    left_at: dt.datetime | None
    case_id: int
    process_id: int
    referring_manager_id: int

    @property
    def spell(self) -> OpenSpell:
        return OpenSpell(self.case_id, self.process_id, self.referring_manager_id, self.step)


def _record(due: list[_Due], now: dt.datetime) -> None:
    """Tell whoever each notice is for (``notices_told``). On PostgreSQL the
    rows are written by one statement (``notices_sql``); elsewhere (SQLite,
    for ``make run``) through the ORM, to the same rows."""
    told, for_whom = covered_told(_recipients(due))
    events = notices_told(due, told, for_whom)
    if _in_one_statement():
        deadline_notices_record(events=events, now=now)
    else:
        notifications_record_many(events=events)


def notices_told(
    due: Sequence[_Due],
    told: Mapping[int, Sequence[Actor]],
    for_whom: Mapping[tuple[int, int], Actor] | None = None,
) -> list[NoticeEvent]:
    """What each active person hears of the batch's notices (``told`` maps
    a notice's id to its people): one notice, the notification of that
    notice, as any action's; several, one ``DUE_STEPS`` message listing
    them all, soonest due first.

    One message per person per sweep, not one per step: an HR lead told of
    forty overdue steps gets one email listing forty, not forty emails
    (issue 14: it also makes the sweep's writes follow the people told,
    not the notices). Each step still reaches the case's audit trail when
    the message is sent (``delivery_send``). ``for_whom``: by (notice,
    delegate), the person away whom a delegate is told for
    (``covering.covered_told``); their message says so. A notice that already told
    someone (the same event key) is not told them again; a bundle's key is
    its first notice's, which fires once.
    """
    people: dict[int, Actor] = {}
    theirs: dict[int, dict[int, _Due]] = {}
    for d in due:
        for user in told[d.pk]:
            if user.is_active:
                people[user.pk] = user
                theirs.setdefault(user.pk, {})[d.pk] = d
    events = []
    for user_id, notices in theirs.items():
        mine = sorted(notices.values(), key=_item_order)
        away = for_whom or {}
        if len(mine) == 1:
            d = mine[0]
            person = away.get((d.pk, user_id))
            events.append(
                NoticeEvent(
                    event_key=f"{d.kind}:step{d.step_id}",
                    kind=d.kind,
                    recipients=[people[user_id]],
                    case_id=d.case_id,
                    step=d.step,
                    due_on=d.due_on,
                    items=[cover_for({}, person)] if person is not None else [],
                )
            )
            continue
        events.append(
            NoticeEvent(
                event_key=f"{Kind.DUE_STEPS}:notice{min(notices)}",
                kind=Kind.DUE_STEPS,
                recipients=[people[user_id]],
                items=[_item(d, away.get((d.pk, user_id))) for d in mine],
            )
        )
    return events


def _item(d: _Due, person: Actor | None) -> dict[str, Any]:
    item = {
        "case": d.case_id,
        "kind": d.kind,
        "step": d.step,
        "due_on": d.due_on.isoformat() if d.due_on else None,
    }
    return cover_for(item, person) if person is not None else item


def _item_order(d: _Due) -> tuple[dt.date, int, str, str]:
    return (d.due_on or dt.date.max, d.case_id, d.kind, d.step)


def _in_one_statement() -> bool:
    return connection.vendor == "postgresql"


def _recipients(due: list[_Due]) -> dict[int, list[Actor]]:
    """Who hears of each notice (by its id), for the whole batch at once."""
    spells = {d.pk: d.spell for d in due if d.kind == Kind.REMINDER}
    owners = step_owners_many(set(spells.values()))
    deciders = independent_decision_makers_many(
        {d.case_id for d in due if d.kind == Kind.OVERDUE_DECISION_MAKER}
    )
    leads = hr_leads() if any(d.kind == Kind.OVERDUE_HR for d in due) else []
    case_owners = hr_case_owners({s.case_id for s in spells.values() if s.step in HR_STEPS})
    told = {}
    for d in due:
        if d.kind == Kind.REMINDER:
            # An HR step of a case with an owner: its owner (or their
            # delegate, after this) is reminded, not every HR adviser.
            owner = case_owners.get(d.case_id) if d.step in HR_STEPS else None
            told[d.pk] = [owner] if owner is not None else owners[spells[d.pk]]
        elif d.kind == Kind.OVERDUE_HR:
            told[d.pk] = [u for u in leads if u.pk != d.referring_manager_id]
        else:
            told[d.pk] = deciders.get(d.case_id, [])
        if not told[d.pk]:
            logger.warning("notice %s (%s) on case %s has nobody to tell", d.pk, d.kind, d.case_id)
    return told


def deadline_sweep(*, batch: int = BATCH) -> int:
    """Fire every due notice, batch by batch; how many were claimed.

    A batch shorter than ``batch`` means nothing else was claimable: what
    it skipped is locked by another sweep, which fires it.
    """
    total = 0
    while (fired := deadline_notices_fire(batch=batch)) > 0:
        total += fired
        if fired < batch:
            break
    return total


def step_notices_on_submit(event: CaseSubmitted) -> None:
    """A new case waits for triage (subscribed to ``CaseSubmitted``): set its notices."""
    step_notices_schedule(case=event.case, open_step=event.open_step)


def step_notices_on_formal_step(event: FormalStepChanged) -> None:
    """The formal process opened or closed a step (subscribed to
    ``formal.events.FormalStepChanged``): the same notices as any step's."""
    step_notices_schedule(case=event.case, open_step=event.open_step)


def step_notices_on_action(event: CaseActed) -> None:
    """The flow moved (subscribed to ``CaseActed``): the closed step's notices are
    cancelled and the open step's set. Recording during a step changes none."""
    if event.flow_moved:
        step_notices_schedule(case=event.case, open_step=event.open_step)
