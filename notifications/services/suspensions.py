"""Reminders and escalations about suspension reviews (``suspensions``).

The same three dates as a step's notices (``deadlines.notice_dates``): a
reminder some working days before a measure's review is due, to the case's
HR owner (else every HR adviser); on the due date, the HR leads; some
working days after it, the decision-makers independent of the case. Kinds
``SUSPENSION_REVIEW_DUE``, ``SUSPENSION_REVIEW_OVERDUE`` and
``SUSPENSION_ESCALATED``.

Bounded: each active measure carries ``next_notice_on``, the next day one of
its notices may fire. The sweep reads only the measures whose day has come
(the partial index ``suspension_notice_due``), a batch at a time, records
what is due, and moves the day on to the next notice (or clears it after
the last). A review that continues the measure sets the day again; lifting
clears it, so a lifted measure tells nobody. Each event's key names the
measure, the kind and the review's due date: running the sweep again (or a
sweep that was rolled back and retried) tells nobody twice. Whoever is away
today is told through their delegate (``covering.covered_told``). The
audit trail records each notice as it is sent (``delivery._AUDIT_ACTION``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.types import Actor
from suspensions.models import Suspension

from ..models import Kind
from ..selectors import (
    hr_case_owners,
    hr_leads,
    independent_decision_makers_many,
    roles_memoised,
    users_with_role,
)
from .batch import NoticeEvent, notifications_record_many
from .covering import cover_for, covered_told
from .deadlines import notice_dates

logger = logging.getLogger(__name__)

BATCH = 500

# A step's notice kind -> the suspension review's.
KINDS = {
    Kind.REMINDER: Kind.SUSPENSION_REVIEW_DUE,
    Kind.OVERDUE_HR: Kind.SUSPENSION_REVIEW_OVERDUE,
    Kind.OVERDUE_DECISION_MAKER: Kind.SUSPENSION_ESCALATED,
}


def suspension_notice_key(kind: str, suspension_id: int, due_on: dt.date) -> str:
    """The event key of one notice: the measure, the kind and the review's due date."""
    return f"{kind}:suspension{suspension_id}:{due_on.isoformat()}"


def suspension_notices_due(
    *, next_notice_on: dt.date, due_on: dt.date, today: dt.date
) -> tuple[list[str], dt.date | None]:
    """The kinds of notice due by ``today`` about a review due on ``due_on``,
    and the day the next one fires (None after the last). Pure."""
    dates = notice_dates(entered_on=next_notice_on, due_on=due_on)
    due = [str(KINDS[Kind(k)]) for k, day in dates.items() if day <= today]
    later = [day for day in dates.values() if day > today]
    return due, min(later) if later else None


def suspension_notices_fire(*, batch: int = BATCH) -> int:
    """Fire one batch of due suspension-review notices; how many measures were
    taken (0: none left). One transaction; the measures are locked SKIP
    LOCKED (another sweep takes the others), never their cases."""
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(
            Suspension.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(lifted_on__isnull=True, next_notice_on__lte=today)
            .select_related("case")
            .only(
                "id",
                "next_notice_on",
                "review_due_on",
                "case__id",
                "case__referring_manager_id",
            )
            .order_by("next_notice_on", "id")[:batch]
        )
        if not rows:
            return 0
        due: dict[int, list[str]] = {row.pk: [] for row in rows}
        for row in rows:
            if row.review_due_on is None or row.next_notice_on is None:
                continue  # a lifted measure (the filter and a constraint rule it out)
            kinds, row.next_notice_on = suspension_notices_due(
                next_notice_on=row.next_notice_on, due_on=row.review_due_on, today=today
            )
            due[row.pk] = kinds
        Suspension.objects.bulk_update(rows, ["next_notice_on"])
        with roles_memoised():
            events = _events(rows, due, today)
            notifications_record_many(events=events)
    logger.info("suspension sweep: %s measures looked at, %s notices", len(rows), len(events))
    return len(rows)


def _events(rows: list[Suspension], due: dict[int, list[str]], today: dt.date) -> list[NoticeEvent]:
    """Who hears of each due notice, for the whole batch at once (one query per kind of fact)."""
    notices = [(row, kind) for row in rows for kind in due[row.pk]]
    kinds = {kind for _, kind in notices}
    reminded = {row.case_id for row, kind in notices if kind == Kind.SUSPENSION_REVIEW_DUE}
    owners = hr_case_owners(reminded)
    advisers = users_with_role(Role.HR) if reminded - set(owners) else []
    leads = hr_leads() if Kind.SUSPENSION_REVIEW_OVERDUE in kinds else []
    deciders = independent_decision_makers_many(
        {row.case_id for row, kind in notices if kind == Kind.SUSPENSION_ESCALATED}
    )
    told: dict[int, list[Actor]] = {}
    for n, (row, kind) in enumerate(notices):
        manager = row.case.referring_manager_id
        people: list[Actor]
        if kind == Kind.SUSPENSION_REVIEW_DUE:
            owner = owners.get(row.case_id)
            people = [owner] if owner is not None else advisers
        elif kind == Kind.SUSPENSION_REVIEW_OVERDUE:
            people = leads
        else:
            people = deciders.get(row.case_id, [])
        # The register is hidden from the case's referring manager.
        told[n] = [u for u in people if u.pk != manager]
        if not told[n]:
            logger.warning("suspension %s (%s) has nobody to tell", row.pk, kind)
    told, for_whom = covered_told(told)
    events = []
    for n, (row, kind) in enumerate(notices):
        for user in told[n]:
            away = for_whom.get((n, user.pk))
            events.append(
                NoticeEvent(
                    event_key=suspension_notice_key(kind, row.pk, row.review_due_on or today),
                    kind=kind,
                    recipients=[user],
                    case_id=row.case_id,
                    due_on=row.review_due_on,
                    items=[cover_for({}, away)] if away is not None else [],
                )
            )
    return events


def suspension_sweep(*, batch: int = BATCH) -> int:
    """Fire every due suspension-review notice, batch by batch; how many measures were taken."""
    total = 0
    while (fired := suspension_notices_fire(batch=batch)) > 0:
        total += fired
        if fired < batch:
            break
    return total
