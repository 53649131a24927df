"""Recording in batches writes exactly the rows recording one event at a time
does: the ORM batch (``notifications_record_many``) against the one-event
service, over generated events and people; the sweep's one PostgreSQL
statement (``notices_sql``) against the ORM batch, over every kind of
notice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models import (
    Delivery,
    EmailMode,
    Kind,
    Notification,
    NotificationPreference,
    ScheduledNotice,
)
from notifications.services import deadlines, notifications_record
from notifications.services.batch import NoticeEvent, notifications_record_many

from .test_sweep_batches import all_due_today, open_cases

pytestmark = pytest.mark.django_db

Rows = tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]


def recorded(queued: list[int]) -> Rows:
    """Every notification and delivery, and those queued, without ids or times."""
    notes = set(
        (key, user, kind, case, step, json.dumps(items))
        for key, user, kind, case, step, items in Notification.objects.values_list(
            "event_key", "recipient_id", "kind", "case_id", "step", "items"
        )
    )
    deliveries = set(
        Delivery.objects.values_list(
            "notification__event_key", "notification__recipient_id", "channel", "status", "attempts"
        )
    )
    sent = set(
        Delivery.objects.filter(pk__in=queued).values_list(
            "notification__event_key", "notification__recipient_id", "channel"
        )
    )
    return notes, deliveries, sent


def sweep() -> list[int]:
    """Sweep every due notice (what it queues is read from the rows)."""
    deadlines.deadline_sweep()
    return []


def then_undo(record: Callable[[], list[int]]) -> Rows:
    with transaction.atomic():
        rows = recorded(record())
        transaction.set_rollback(True)
    return rows


KINDS = [Kind.SUBMITTED, Kind.CASE_MOVED, Kind.REMINDER, Kind.OVERDUE_HR, Kind.DIGEST]
# Each event: its kind, whom it tells (by their place in the cast), and
# whether it names the case.
events_st = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sets(st.integers(0, 8), max_size=5), st.booleans()),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=events_st,
    digesters=st.sets(st.integers(0, 8)),
    no_email=st.sets(st.integers(0, 8)),
    inactive=st.sets(st.integers(0, 8)),
    twice=st.booleans(),
)
def test_a_batch_records_what_one_event_at_a_time_does(
    story: Any,
    people: Any,
    events: list[tuple[str, set[int], bool]],
    digesters: set[int],
    no_email: set[int],
    inactive: set[int],
    twice: bool,
) -> None:
    cast = sorted(vars(people).values(), key=lambda u: u.pk)
    with transaction.atomic():
        for user in cast:  # as the last example's rollback left them
            user.refresh_from_db()
        case = story.submitted()
        for i, user in enumerate(cast):
            user.email = "" if i in no_email else f"{user.username}@trust.example"
            user.is_active = i not in inactive
            user.save(update_fields=["email", "is_active"])
            if i in digesters:
                NotificationPreference.objects.create(user=user, email_mode=EmailMode.DIGEST)
        told = [
            NoticeEvent(
                event_key=f"{kind}:test{n}",
                kind=kind,
                recipients=[cast[i] for i in sorted(who)],
                case_id=case.pk if with_case else None,
            )
            for n, (kind, who, with_case) in enumerate(events)
        ]

        def one_at_a_time() -> list[int]:
            queued = []
            for _ in range(1 + twice):
                for e in told:
                    queued += notifications_record(
                        event_key=e.event_key,
                        kind=e.kind,
                        recipients=e.recipients,
                        case=case if e.case_id else None,
                    )
            return queued

        def all_at_once() -> list[int]:
            queued = []
            for _ in range(1 + twice):
                queued += notifications_record_many(events=told)
            return queued

        assert then_undo(one_at_a_time) == then_undo(all_at_once)
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
def test_the_sweeps_statement_writes_what_the_orm_batch_does(
    story: Any, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    NotificationPreference.objects.create(user=people.hr, email_mode=EmailMode.DIGEST)
    people.director.email = ""
    people.director.save(update_fields=["email"])
    open_cases(story, people, rounds=1)
    due = all_due_today()

    in_sql = then_undo(sweep)
    # The path SQLite takes (``make run``), here on the same PostgreSQL rows.
    monkeypatch.setattr(deadlines, "_in_one_statement", lambda: False)
    with_orm = then_undo(sweep)

    assert in_sql[:2] == with_orm[:2]
    notes, deliveries, _ = in_sql
    # Each person told of several notices gets one message listing them all.
    assert {kind for _, _, kind, _, _, _ in notes} >= {Kind.DUE_STEPS}
    listed = {item["kind"] for *_, items in notes for item in json.loads(items)}
    assert listed == set(Kind.deadline_kinds())
    assert {status for _, _, _, status, _ in deliveries} == {"pending", "held"}
    # Both sweeps were rolled back: every notice is back on the queue.
    assert ScheduledNotice.objects.count() == due
