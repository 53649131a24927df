"""The wellbeing check-in sweep: tells the case's wellbeing contact once per
due date (running it again tells nobody twice), their delegate when they
are away, nobody before the date, and nobody once the case is closed (its
schedule row goes). It reads only the due rows, through their index."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from notifications.services.wellbeing import wellbeing_checkins_sweep
from wellbeing.models import CheckInSchedule
from wellbeing.services import checkin_record
from workflow.services import case_record_informal_outcome
from workflow.services.delegation import delegation_set

from ..factories import make_user
from ..policy import policy_set
from ..wellbeing.conftest import clock
from ..workflow.steps import INFORMAL_ACTIONS, Story

__all__ = ["clock"]

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 12, 29)  # six working days after Thursday 17 December 2026


@pytest.fixture(autouse=True)
def _six_working_days(clock: Any) -> None:
    policy_set(wellbeing_checkin_working_days=6)


def told() -> list[tuple[str, str, dt.date | None]]:
    return sorted(
        (n.kind, n.recipient.username, n.due_on)
        for n in Notification.objects.filter(kind=Kind.WELLBEING_CHECKIN).select_related(
            "recipient"
        )
    )


def test_the_contact_is_told_once_on_the_due_date(story: Story, people: Any, clock: Any) -> None:
    case = story.informal()
    clock.to(DUE - dt.timedelta(days=1))
    assert wellbeing_checkins_sweep() == 0
    assert told() == []
    clock.to(DUE)
    assert wellbeing_checkins_sweep() == 1
    assert wellbeing_checkins_sweep() == 0
    assert told() == [(Kind.WELLBEING_CHECKIN, "hana.hr", DUE)]
    assert CheckInSchedule.objects.get(case=case).told_for == DUE
    note = Notification.objects.get(kind=Kind.WELLBEING_CHECKIN)
    assert (
        inapp_text(note)
        == f"{case.reference}: a wellbeing check-in with the employee is due on 29 Dec 2026."
    )
    # The email carries the reference, the date and a link; no case content.
    body = email_body(note)
    assert case.reference in email_subject(note)
    assert case.reference in body
    assert case.summary not in body
    assert case.employee_name not in body


def test_the_mark_cleared_by_a_repeated_sweep_tells_nobody_twice(
    story: Story, people: Any, clock: Any
) -> None:
    """Even if the told mark were lost, the event key (case and due date) keeps it to one."""
    case = story.informal()
    clock.to(DUE)
    wellbeing_checkins_sweep()
    CheckInSchedule.objects.filter(case=case).update(told_for=None)
    wellbeing_checkins_sweep()
    assert len(told()) == 1


def test_a_checkin_moves_the_date_and_the_next_one_is_told_again(
    story: Story, people: Any, clock: Any
) -> None:
    case = story.informal()
    clock.to(DUE)
    wellbeing_checkins_sweep()
    checkin_record(case_id=case.pk, actor=people.hr, held_on=DUE, how="phone")
    assert wellbeing_checkins_sweep() == 0  # not due again yet
    following = CheckInSchedule.objects.get(case=case).due_on
    clock.to(following)
    assert wellbeing_checkins_sweep() == 1
    assert [t[2] for t in told()] == [DUE, following]


def test_the_delegate_is_told_while_the_contact_is_away(
    story: Story, people: Any, clock: Any
) -> None:
    story.informal()
    cover = make_user("hugo.hr-cover", Role.HR)
    delegation_set(
        actor=people.hr,
        person_id=people.hr.pk,
        delegate_id=cover.pk,
        starts_on=DUE,
        ends_on=DUE + dt.timedelta(days=3),
        reason="Leave.",
    )
    clock.to(DUE)
    wellbeing_checkins_sweep()
    assert told() == [(Kind.WELLBEING_CHECKIN, "hugo.hr-cover", DUE)]
    note = Notification.objects.get(kind=Kind.WELLBEING_CHECKIN)
    assert inapp_text(note).startswith("For hana.hr: ")


def test_no_reminder_after_the_case_closes(story: Story, people: Any, clock: Any) -> None:
    case = story.informal()
    case_record_informal_outcome(
        case_id=case.pk, actor=people.manager, resolved=True, actions=INFORMAL_ACTIONS
    )
    clock.to(DUE + dt.timedelta(days=7))
    assert wellbeing_checkins_sweep() == 0
    assert told() == []
    assert not CheckInSchedule.objects.filter(case=case).exists()


def test_a_row_left_for_a_case_no_longer_under_way_is_dropped_by_the_sweep(
    story: Story, people: Any, clock: Any
) -> None:
    case = story.informal()
    # As if the case had closed without the engine's event (a formal process
    # concluded elsewhere): the sweep checks the case itself.
    type(case).objects.filter(pk=case.pk).update(destroyed_at=case.submitted_at)
    clock.to(DUE)
    assert wellbeing_checkins_sweep() == 0
    assert told() == []
    assert not CheckInSchedule.objects.filter(case=case).exists()


def test_the_sweep_reads_the_same_few_queries_however_many_are_due(
    story: Story, people: Any, clock: Any
) -> None:
    for _ in range(2):
        story.informal()
    clock.to(DUE)
    with CaptureQueriesContext(connection) as few:
        wellbeing_checkins_sweep()
    CheckInSchedule.objects.update(told_for=None, due_on=DUE + dt.timedelta(days=1))
    for _ in range(4):
        story.informal()
    CheckInSchedule.objects.update(told_for=None, due_on=DUE + dt.timedelta(days=1))
    clock.to(DUE + dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as many:
        assert wellbeing_checkins_sweep() == 6
    assert len(many.captured_queries) == len(few.captured_queries)
