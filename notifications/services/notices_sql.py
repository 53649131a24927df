"""A sweep batch's notifications and deliveries in one statement (PostgreSQL).

Building a Django model per row costs more than the database does to
write it: for a thousand reminders, three thousand objects (a notification
and a delivery per channel each) took most of the sweep's time. Here
PostgreSQL derives each notification from its notice and step spell (the
event key, the case, the step, the due date) and each delivery from its
notification and the recipient's channels, in one ``INSERT ... RETURNING``
feeding another: Python sends only who is told of which notice, and the
channels each recipient gets (a handful of people, not a row per notice).

The rows are those ``notifications_record_many`` writes for the same
notices (``tests/notifications/test_batch.py`` holds the two to that;
SQLite, which ``make run`` uses, records through it). The same unique keys
make a notice recorded twice a no-op; its deliveries are then left as
they were (both are written in one transaction, so they exist already).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import connection

from accounts.types import Actor
from workflow.models import CaseStep

from ..models import Delivery, DeliveryStatus, Notification, ScheduledNotice
from ..selectors import digest_user_ids
from .batch import delivery_channels
from .delivery import deliveries_enqueue_on_commit

_SQL = """
WITH told (notice_id, user_id) AS (
    SELECT * FROM unnest(%(notices)s::bigint[], %(users)s::bigint[])
), notes AS (
    INSERT INTO {notification}
        (event_key, recipient_id, kind, case_id, step, due_on, created_at)
    SELECT notice.kind || ':step' || notice.step_id, told.user_id, notice.kind,
           spell.case_id, spell.step, spell.due_on, %(now)s
    FROM told
    JOIN {notice} notice ON notice.id = told.notice_id
    JOIN {step} spell ON spell.id = notice.step_id
    ON CONFLICT ON CONSTRAINT notification_once_per_recipient DO NOTHING
    RETURNING id, event_key, recipient_id, kind
)
INSERT INTO {delivery}
    (notification_id, event_key, recipient_id, channel, status, attempts,
     next_try_at, created_at, last_error)
SELECT notes.id, notes.event_key, notes.recipient_id, plan.channel, plan.status, 0,
       %(now)s, %(now)s, ''
FROM notes
JOIN unnest(%(plan_users)s::bigint[], %(plan_kinds)s::text[], %(plan_channels)s::text[],
            %(plan_statuses)s::text[]) AS plan (user_id, kind, channel, status)
  ON plan.user_id = notes.recipient_id AND plan.kind = notes.kind
ON CONFLICT ON CONSTRAINT delivery_once_per_channel DO NOTHING
RETURNING id, status
"""


def deadline_notices_record(
    *, told: Mapping[int, tuple[str, Sequence[Actor]]], now: dt.datetime
) -> list[int]:
    """Record the notifications of fired notices: ``told`` maps each notice's
    id to its kind and the people to tell. Returns the deliveries queued on
    commit. PostgreSQL only; call in the sweep's transaction."""
    people = {u.pk: u for _, users in told.values() for u in users if u.is_active}
    pairs = [(pk, u.pk) for pk, (_, users) in told.items() for u in users if u.pk in people]
    if not pairs:
        return []
    digesters = digest_user_ids(people)
    kinds = {kind for kind, _ in told.values()}
    plan = [
        (user_id, kind, channel, status)
        for user_id, user in people.items()
        for kind in kinds
        for channel, status in delivery_channels(user, kind=kind, digester=user_id in digesters)
    ]
    sql = _SQL.format(
        notification=Notification._meta.db_table,
        notice=ScheduledNotice._meta.db_table,
        step=CaseStep._meta.db_table,
        delivery=Delivery._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "notices": [pk for pk, _ in pairs],
                "users": [user_id for _, user_id in pairs],
                "now": now,
                "plan_users": [row[0] for row in plan],
                "plan_kinds": [row[1] for row in plan],
                "plan_channels": [row[2] for row in plan],
                "plan_statuses": [row[3] for row in plan],
            },
        )
        ids = [pk for pk, status in cursor.fetchall() if status == DeliveryStatus.PENDING]
    deliveries_enqueue_on_commit(ids)
    return ids
