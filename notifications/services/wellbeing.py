"""Telling a case's wellbeing contact that a check-in is due (docs/wellbeing.md).

The sweep reads only the schedule rows that are due and not yet told, through
their partial index (``wellbeing.CheckInSchedule``, ADR 0028), a batch at a
time, and for each case still under way tells its named contact (kind
``WELLBEING_CHECKIN``), or their delegate if the contact is away today
(``covering``). The row is then marked told for that due date; recording a
check-in moves the date and clears the mark. A row whose case is no longer
under way (closed, formal process concluded, file destroyed) is removed and
nobody is told.

One notification per contact per case per due date: the event key names
the case and the date, and the notifications' unique key makes telling it
twice a no-op, so the sweep may run as often as it likes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wellbeing.models import CheckInSchedule

from ..models import Kind
from .batch import NoticeEvent, notifications_record_many
from .covering import covered_events

BATCH = 500


def checkin_event_key(case_id: int, due_on: dt.date) -> str:
    return f"{Kind.WELLBEING_CHECKIN}:{case_id}:{due_on:%Y-%m-%d}"


def wellbeing_checkins_sweep(*, today: dt.date | None = None) -> int:
    """In the current trust: tell each due check-in's contact; how many were told."""
    today = today or timezone.localdate()
    told = 0
    while True:
        with transaction.atomic():
            rows = list(
                CheckInSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(told_for__isnull=True, due_on__lte=today)
                .select_related("case", "case__wellbeing_contact")
                .order_by("due_on", "id")[:BATCH]
            )
            if not rows:
                return told
            live = [
                (r, contact)
                for r in rows
                if r.case.under_way and (contact := r.case.wellbeing_contact) is not None
            ]
            kept = {r.pk for r, _ in live}
            gone = [r.pk for r in rows if r.pk not in kept]
            if gone:
                CheckInSchedule.objects.filter(pk__in=gone).delete()
            events = [
                NoticeEvent(
                    event_key=checkin_event_key(r.case_id, r.due_on),
                    kind=Kind.WELLBEING_CHECKIN,
                    recipients=[contact],
                    case_id=r.case_id,
                    due_on=r.due_on,
                )
                for r, contact in live
            ]
            if events:
                notifications_record_many(events=covered_events(events))
                CheckInSchedule.objects.filter(pk__in=kept).update(told_for=F("due_on"))
            told += len(live)
        if len(rows) < BATCH:
            return told
