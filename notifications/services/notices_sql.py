"""The sweep's statements on PostgreSQL: claim a batch, record what it tells.

Building a Django model per row costs more than the database does to
write it, and so does reading back what was just written: for a thousand
reminders, three thousand objects once took most of the sweep's time.
Here a batch is two statements:

* ``due_notices_claim``: take the due notices off the queue (``DELETE``,
  skipping those another sweep has locked) and return each with its step
  spell and case. The rows it locked are deleted by their physical address
  (``ctid``, stable while the lock is held): ``WHERE id IN (...)`` was at
  times planned as a hash join over the whole queue. The spell and the
  case are read by key for each notice (a lateral lookup the planner
  cannot turn into a hash join over every spell and case on file).
* ``deadline_notices_record``: the notifications ``deadlines.notices_told``
  decided (one per person: a notice, or a bundle of them), and each
  one's deliveries from the recipient's channels, in one
  ``INSERT ... RETURNING`` feeding another. The lists go as array literals
  (``core.pgarray``).

The rows are those ``notifications_record_many`` writes for the same
events (``tests/notifications/test_batch.py`` holds the two to that;
SQLite, which ``make run`` uses, records through it). The same unique
key makes a notification recorded twice a no-op, and only a notification
written now gets deliveries (``RETURNING`` gives only those), so none is
written twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from core.pgarray import array_literal
from workflow.models import Case, CaseStep

from ..models import Delivery, DeliveryStatus, Notification, ScheduledNotice
from ..selectors import digest_user_ids
from .batch import NoticeEvent, delivery_channels
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
        (event_key, recipient_id, kind, case_id, step, due_on, items, created_at)
    SELECT told.event_key, told.user_id, told.kind, told.case_id, told.step, told.due_on,
           told.items, %(now)s
    FROM unnest(%(keys)s::text[], %(users)s::bigint[], %(kinds)s::text[],
                %(cases)s::bigint[], %(steps)s::text[], %(due_ons)s::date[],
                %(items)s::jsonb[])
         AS told (event_key, user_id, kind, case_id, step, due_on, items)
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


def deadline_notices_record(*, events: Sequence[NoticeEvent], now: dt.datetime) -> list[int]:
    """Record ``events`` (``deadlines.notices_told``: one recipient each) as
    ``notifications_record_many`` would. Returns the deliveries queued on
    commit. PostgreSQL only; call in the sweep's transaction."""
    people = {u.pk: u for e in events for u in e.recipients if u.is_active}
    rows = [(e, u.pk) for e in events for u in e.recipients if u.pk in people]
    if not rows:
        return []
    digesters = digest_user_ids(people)
    kinds = {e.kind for e, _ in rows}
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
                "keys": array_literal(e.event_key for e, _ in rows),
                "users": array_literal(user_id for _, user_id in rows),
                "kinds": array_literal(e.kind for e, _ in rows),
                "cases": array_literal(e.case_id for e, _ in rows),
                "steps": array_literal(e.step for e, _ in rows),
                "due_ons": array_literal(e.due_on for e, _ in rows),
                "items": array_literal(json.dumps(list(e.items)) for e, _ in rows),
                "plan_users": array_literal(row[0] for row in plan),
                "plan_kinds": array_literal(row[1] for row in plan),
                "plan_channels": array_literal(row[2] for row in plan),
                "plan_statuses": array_literal(row[3] for row in plan),
            },
        )
        ids = [pk for pk, status in cursor.fetchall() if status == DeliveryStatus.PENDING]
    deliveries_enqueue_on_commit(ids)
    return ids
