"""The sweep's statements on PostgreSQL: claim a batch, record what it tells.

Building a Django model per row costs more than the database does to
write it, and so does reading back what was just written: for a thousand
reminders, three thousand objects (a notification and a delivery per
channel each) once took most of the sweep's time. Here a batch is two
statements:

* ``due_notices_claim``: take the due notices off the queue (``DELETE``,
  skipping those another sweep has locked) and return each with its step
  spell and case, in one statement. The rows it locked are deleted by
  their physical address (``ctid``, stable while the lock is held): a
  ``WHERE id IN (...)`` was planned at times as a hash join over the whole
  queue.
  The spell and the case are read by key for each claimed notice (a
  lateral lookup the planner cannot turn into a hash join over every spell
  and case on file: the cost follows what is due, not the archive).
* ``deadline_notices_record``: each notification from what the claim
  returned and who is told, and each delivery from its notification and
  the recipient's channels, in one ``INSERT ... RETURNING`` feeding
  another. Python sends who is told of which notice, and the channels each
  recipient gets (a handful of people, not a row per notice).

The rows are those ``notifications_record_many`` writes for the same
notices (``tests/notifications/test_batch.py`` holds the two to that;
SQLite, which ``make run`` uses, records through it), and the claim is the
ORM claim's (``tests/notifications/test_sweep_batches.py``). The same unique
keys make a notice recorded twice a no-op; its deliveries are then left as
they were (both are written in one transaction, so they exist already).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from django.db import connection

from accounts.types import Actor
from core.pgarray import array_literal
from workflow.models import Case, CaseStep

from ..models import Delivery, DeliveryStatus, Notification, ScheduledNotice
from ..selectors import digest_user_ids
from .batch import delivery_channels
from .delivery import deliveries_enqueue_on_commit

_CLAIM = """
WITH fired AS (
    DELETE FROM {notice}
    WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM {notice}
        WHERE fire_on <= %(today)s
        ORDER BY fire_on, id
        LIMIT %(batch)s
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING id, kind, step_id, fire_on
)
SELECT fired.id, fired.kind, fired.step_id, spell.step, spell.due_on, spell.left_at,
       spell.case_id, the_case.process_id, the_case.referring_manager_id
FROM fired
CROSS JOIN LATERAL (
    SELECT step, due_on, left_at, case_id FROM {step} WHERE id = fired.step_id OFFSET 0
) spell
CROSS JOIN LATERAL (
    SELECT process_id, referring_manager_id FROM {case} WHERE id = spell.case_id OFFSET 0
) the_case
ORDER BY fired.fire_on, fired.id
"""

_RECORD = """
WITH notes AS (
    INSERT INTO {notification}
        (event_key, recipient_id, kind, case_id, step, due_on, created_at)
    SELECT told.kind || ':step' || told.step_id, told.user_id, told.kind,
           told.case_id, told.step, told.due_on, %(now)s
    FROM unnest(%(users)s::bigint[], %(kinds)s::text[], %(step_ids)s::bigint[],
                %(cases)s::bigint[], %(steps)s::text[], %(due_ons)s::date[])
         AS told (user_id, kind, step_id, case_id, step, due_on)
    ON CONFLICT ON CONSTRAINT notification_once_per_recipient DO NOTHING
    RETURNING id, recipient_id, kind
)
INSERT INTO {delivery}
    (notification_id, channel, status, attempts, next_try_at, created_at, last_error)
SELECT notes.id, plan.channel, plan.status, 0, %(now)s, %(now)s, ''
FROM notes
JOIN unnest(%(plan_users)s::bigint[], %(plan_kinds)s::text[], %(plan_channels)s::text[],
            %(plan_statuses)s::text[]) AS plan (user_id, kind, channel, status)
  ON plan.user_id = notes.recipient_id AND plan.kind = notes.kind
ON CONFLICT ON CONSTRAINT delivery_once_per_channel DO NOTHING
RETURNING id, status
"""


def due_notices_claim(*, batch: int, today: dt.date) -> list[tuple[Any, ...]]:
    """Take up to ``batch`` notices due by ``today`` off the queue (those
    another sweep holds are skipped): for each, (id, kind, step id, step,
    due on, left at, case id, process id, referring manager id), oldest
    first. Call in the sweep's transaction: a rollback puts them back."""
    sql = _CLAIM.format(
        notice=ScheduledNotice._meta.db_table,
        step=CaseStep._meta.db_table,
        case=Case._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"batch": batch, "today": today})
        return list(cursor.fetchall())


class Fired(Protocol):
    """What the recording needs of a fired notice."""

    @property
    def kind(self) -> str: ...
    @property
    def step_id(self) -> int: ...
    @property
    def step(self) -> str: ...
    @property
    def due_on(self) -> dt.date | None: ...
    @property
    def case_id(self) -> int: ...


def deadline_notices_record(
    *, told: Sequence[tuple[Fired, Sequence[Actor]]], now: dt.datetime
) -> list[int]:
    """Record the notifications of fired notices, each with the people to
    tell. Returns the deliveries queued on commit. PostgreSQL only; call in
    the sweep's transaction."""
    people = {u.pk: u for _, users in told for u in users if u.is_active}
    rows = [(notice, u.pk) for notice, users in told for u in users if u.pk in people]
    if not rows:
        return []
    digesters = digest_user_ids(people)
    kinds = {notice.kind for notice, _ in rows}
    plan = [
        (user_id, kind, channel, status)
        for user_id, user in people.items()
        for kind in kinds
        for channel, status in delivery_channels(user, kind=kind, digester=user_id in digesters)
    ]
    sql = _RECORD.format(notification=Notification._meta.db_table, delivery=Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "now": now,
                "users": array_literal(user_id for _, user_id in rows),
                "kinds": array_literal(notice.kind for notice, _ in rows),
                "step_ids": array_literal(notice.step_id for notice, _ in rows),
                "cases": array_literal(notice.case_id for notice, _ in rows),
                "steps": array_literal(notice.step for notice, _ in rows),
                "due_ons": array_literal(notice.due_on for notice, _ in rows),
                "plan_users": array_literal(row[0] for row in plan),
                "plan_kinds": array_literal(row[1] for row in plan),
                "plan_channels": array_literal(row[2] for row in plan),
                "plan_statuses": array_literal(row[3] for row in plan),
            },
        )
        ids = [pk for pk, status in cursor.fetchall() if status == DeliveryStatus.PENDING]
    deliveries_enqueue_on_commit(ids)
    return ids
