"""The weekly retention review: HR advisers are told which case files fell
due for destruction since the last review.

One notification per HR adviser listing the references (the email carries
the references and a link to the list only: ``notifications.messages``).
The list page always shows every file due; this only says which are new.
The event key names the day, so a review run twice that day tells nobody
twice (the notification's unique key).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.roles import Role
from notifications.models import Kind
from notifications.selectors import users_with_role
from notifications.services.batch import NoticeEvent, notifications_record_many
from tenancy.context import trust_id_required

from .retention_selectors import retention_newly_due

# Days between reviews: beat runs it weekly (config/celery.py).
REVIEW_DAYS = 7
# At most this many references in one message; the list page has them all.
LISTED_MAX = 100


def retention_review_notify(*, as_of: dt.date, days: int = REVIEW_DAYS) -> int:
    """Tell every HR adviser about the files that fell due in the ``days`` up
    to ``as_of``; how many files that was (at most ``LISTED_MAX`` + 1).
    Nothing is recorded when none fell due."""
    rows = list(
        retention_newly_due(as_of=as_of, days=days)
        .order_by("id")
        .values_list("pk", "reference")[: LISTED_MAX + 1]
    )
    if not rows:
        return 0
    items: list[dict[str, object]] = [
        {"case": pk, "reference": ref} for pk, ref in rows[:LISTED_MAX]
    ]
    if len(rows) > LISTED_MAX:
        items.append({"more": True})
    event = NoticeEvent(
        # The trust is in the key: (event, recipient) is unique across trusts.
        event_key=f"retention_due:{trust_id_required()}:{as_of.isoformat()}",
        kind=Kind.RETENTION_DUE,
        recipients=users_with_role(Role.HR),
        due_on=as_of,
        items=items,
    )
    with transaction.atomic():
        notifications_record_many(events=[event])
    return len(rows)
