"""Reminders and escalations about suspension reviews, with the clock moved:
the same three dates as a step's notices, each once, none after the
measure is lifted, the sweep reading only what is due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Delegation
from accounts.roles import Role
from audit.models import AuditEvent
from notifications.models import Kind, Notification
from notifications.services.suspensions import (
    suspension_notice_key,
    suspension_notices_due,
    suspension_sweep,
)
from suspensions.models import Suspension
from suspensions.services import suspension_lift, suspension_record, suspension_review

from ..factories import make_user
from ..policy import policy_set
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 3, 2)
KINDS = (Kind.SUSPENSION_REVIEW_DUE, Kind.SUSPENSION_REVIEW_OVERDUE, Kind.SUSPENSION_ESCALATED)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Monday 2 March 2026, 10:00 in London; ``clock.to(date)`` moves it."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), tick=False) as t:

        class Clock:
            def to(self, day: dt.date, hour: int = 9) -> None:
                t.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))

        yield Clock()


@pytest.fixture(autouse=True)
def _five_days(_tenant: Any, settings: Any) -> None:
    # A review every five working days: due Monday 9 March for a Monday start.
    policy_set(suspension_review_working_days=5)
    settings.FTP_HR_LEAD_EMAILS = ["hana.hr@trust.example"]


def suspended(story: Story) -> Suspension:
    case = story.informal()
    suspension_record(
        case_id=case.pk,
        actor=story.cast.hr,
        kind="suspension",
        reason="Risk to patients.",
        decided_by=story.cast.director.pk,
        started_on=timezone.localdate(),
    )
    return Suspension.objects.get(case=case)


def sweep_on(clock: Any, day: dt.date) -> list[tuple[str, str]]:
    """Run the suspension sweep on ``day``; (kind, username) of each new notice."""
    before = set(Notification.objects.values_list("pk", flat=True))
    clock.to(day)
    suspension_sweep()
    new = Notification.objects.exclude(pk__in=before).filter(kind__in=KINDS)
    return sorted((n.kind, n.recipient.username) for n in new.select_related("recipient"))


def test_the_review_s_three_notices_fall_on_a_step_s_three_dates(clock: Any, story: Story) -> None:
    measure = suspended(story)
    assert measure.review_due_on == dt.date(2026, 3, 9)
    assert sweep_on(clock, dt.date(2026, 3, 4)) == []
    # Two working days before: the case's HR owner.
    assert sweep_on(clock, dt.date(2026, 3, 5)) == [(Kind.SUSPENSION_REVIEW_DUE, "hana.hr")]
    assert sweep_on(clock, dt.date(2026, 3, 6)) == []
    # On the due date: the HR leads.
    assert sweep_on(clock, dt.date(2026, 3, 9)) == [(Kind.SUSPENSION_REVIEW_OVERDUE, "hana.hr")]
    assert sweep_on(clock, dt.date(2026, 3, 13)) == []
    # Five working days after: decision-makers independent of the case.
    assert sweep_on(clock, dt.date(2026, 3, 16)) == [(Kind.SUSPENSION_ESCALATED, "dina.director")]
    # Then the measure leaves the sweep's index until it is reviewed.
    measure.refresh_from_db()
    assert measure.next_notice_on is None


def test_re_running_the_sweep_sends_nothing_twice(clock: Any, story: Story) -> None:
    measure = suspended(story)
    first = sweep_on(clock, dt.date(2026, 3, 20))  # a missed week: all three at once
    assert [kind for kind, _ in first] == sorted(KINDS)
    # Even if the measure's next day is put back, the keys hold.
    Suspension.objects.filter(pk=measure.pk).update(next_notice_on=MONDAY)
    assert sweep_on(clock, dt.date(2026, 3, 20)) == []
    keys = set(Notification.objects.filter(kind__in=KINDS).values_list("event_key", flat=True))
    assert suspension_notice_key(Kind.SUSPENSION_ESCALATED, measure.pk, dt.date(2026, 3, 9)) in keys


def test_a_lifted_measure_tells_nobody(clock: Any, story: Story) -> None:
    measure = suspended(story)
    suspension_lift(
        case_id=measure.case_id, actor=story.cast.hr, lifted_on=MONDAY, reason="Not needed."
    )
    assert sweep_on(clock, dt.date(2026, 3, 20)) == []


def test_a_review_that_continues_starts_the_notices_again_for_the_new_date(
    clock: Any, story: Story
) -> None:
    measure = suspended(story)
    sweep_on(clock, dt.date(2026, 3, 5))
    clock.to(dt.date(2026, 3, 6))
    suspension_review(
        case_id=measure.case_id,
        actor=story.cast.hr,
        reviewed_on=dt.date(2026, 3, 6),
        decision="continue",
        reason="Still needed.",
    )
    measure.refresh_from_db()
    assert measure.review_due_on == dt.date(2026, 3, 13)
    # Nothing about the old date any more; the new one's reminder on Wednesday 11th.
    assert sweep_on(clock, dt.date(2026, 3, 9)) == []
    assert sweep_on(clock, dt.date(2026, 3, 11)) == [(Kind.SUSPENSION_REVIEW_DUE, "hana.hr")]


def test_someone_away_is_told_through_their_delegate(clock: Any, story: Story) -> None:
    cover = make_user("cora.cover", Role.HR)
    Delegation.objects.create(
        person=story.cast.hr,
        delegate=cover,
        starts_on=MONDAY,
        ends_on=dt.date(2026, 3, 31),
        created_by=story.cast.hr,
        created_at=timezone.now(),
    )
    suspended(story)
    sweep_on(clock, dt.date(2026, 3, 5))
    told = Notification.objects.filter(kind=Kind.SUSPENSION_REVIEW_DUE)
    assert [(n.recipient.username, n.items[0]["for"]) for n in told] == [
        ("cora.cover", story.cast.hr.pk)
    ]


def test_a_sent_notice_is_on_the_case_s_trail_under_the_register_s_event(
    clock: Any, story: Story
) -> None:
    from notifications.models import Delivery
    from notifications.services import delivery_send

    measure = suspended(story)
    sweep_on(clock, dt.date(2026, 3, 5))
    for delivery in Delivery.objects.filter(notification__kind=Kind.SUSPENSION_REVIEW_DUE):
        delivery_send(delivery_id=delivery.pk)
    event = AuditEvent.objects.filter(case_id=measure.case_id, action="suspension_notice_sent")
    assert event.exists()


def test_the_sweep_reads_only_what_is_due(clock: Any, story: Story) -> None:
    suspended(story)
    clock.to(dt.date(2026, 3, 4))
    # Looked at once from its start; then not until its reminder's day.
    assert suspension_sweep() == 1
    with CaptureQueriesContext(connection) as ctx:
        assert suspension_sweep() == 0
    assert len(ctx.captured_queries) <= 3
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "next_notice_on" in sql


def test_the_pure_schedule() -> None:
    due, later = suspension_notices_due(
        next_notice_on=MONDAY, due_on=dt.date(2026, 3, 9), today=dt.date(2026, 3, 9)
    )
    assert due == [Kind.SUSPENSION_REVIEW_DUE, Kind.SUSPENSION_REVIEW_OVERDUE]
    assert later == dt.date(2026, 3, 16)
