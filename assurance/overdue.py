"""The daily overdue-actions reminder: each owner of an action past its due
date and not done or dropped is told once a day, in one notification, how
many of their actions are overdue (the email says how many and links the
list; it names no action: ``notifications.messages``).

The event key names the trust, the owner and the day, so a reminder run
twice that day tells nobody twice (the notification's unique key).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import transaction

from notifications.models import Kind
from notifications.services.batch import NoticeEvent, notifications_record_many
from tenancy.context import trust_id_required

from .models import Action
from .selectors import overdue_q

# At most this many actions listed in one notification; the count is all of them.
LISTED_MAX = 50


def actions_overdue_notify(*, as_of: dt.date) -> int:
    """Tell each owner of overdue actions (due before ``as_of``) about them;
    how many owners were told (a rerun counts them again but records nothing)."""
    overdue: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    rows = Action.objects.filter(overdue_q(as_of)).order_by("owner_id", "due_on", "id")
    for owner_id, pk, due_on in rows.values_list("owner_id", "pk", "due_on"):
        overdue[owner_id].append((pk, due_on))
    if not overdue:
        return 0
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(overdue))}
    trust_id = trust_id_required()
    events = [
        NoticeEvent(
            event_key=f"action_overdue:{trust_id}:{owner_id}:{as_of.isoformat()}",
            kind=Kind.ACTION_OVERDUE,
            recipients=[people[owner_id]],
            due_on=as_of,
            items=[{"count": len(actions)}]
            + [{"action": pk, "due_on": due.isoformat()} for pk, due in actions[:LISTED_MAX]],
        )
        for owner_id, actions in sorted(overdue.items())
        if owner_id in people
    ]
    with transaction.atomic():
        notifications_record_many(events=events)
    return len(events)
