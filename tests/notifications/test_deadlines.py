"""Reminders and escalations, with the clock moved: working days, weekends,
bank holidays, each notice once, and never a case moved by one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Kind, Notification, ScheduledNotice
from notifications.services import deadline_sweep
from notifications.services.deadlines import notice_dates
from workflow.models import CaseStep
from workflow.services import case_triage

from ..policy import policy_set
from ..workflow.steps import Story, fresh
from .outbox import recipients_of, steps_told

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def clock() -> Iterator[Any]:
    """Monday 2 March 2026, 10:00 in London; ``clock.to(date)`` moves it."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=LONDON), tick=False) as t:

        class Clock:
            def to(self, day: dt.date, hour: int = 9) -> None:
                t.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))

        yield Clock()


def sweep_on(clock: Any, day: dt.date) -> list[tuple[str, Any]]:
    """Run the sweep on ``day``; each step it told someone of, as (kind,
    recipient) pairs (a bundle counts each step it lists)."""
    before = set(Notification.objects.values_list("pk", flat=True))
    clock.to(day)
    deadline_sweep()
    new = Notification.objects.exclude(pk__in=before).select_related("recipient")
    return sorted((kind, who) for n in new for who, _, kind, _ in steps_told(n))


def test_triage_entered_on_a_monday_is_due_the_next_monday(clock: Any, story: Story) -> None:
    case = story.submitted()
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    assert (step.step, step.due_on) == ("triage", dt.date(2026, 3, 9))
    dates = dict(ScheduledNotice.objects.filter(step=step).values_list("kind", "fire_on"))
    assert dates == {
        Kind.REMINDER: dt.date(2026, 3, 5),  # two working days before: Thursday
        Kind.OVERDUE_HR: dt.date(2026, 3, 9),  # on the due date
        Kind.OVERDUE_DECISION_MAKER: dt.date(2026, 3, 16),  # five working days later
    }


def test_the_reminder_goes_to_whoever_owes_the_step_two_working_days_before(
    clock: Any, story: Story
) -> None:
    story.submitted()
    assert sweep_on(clock, dt.date(2026, 3, 4)) == []
    assert sweep_on(clock, dt.date(2026, 3, 5)) == [(Kind.REMINDER, "hana.hr")]


def test_on_the_due_date_the_hr_lead_is_told(clock: Any, story: Story, settings: Any) -> None:
    settings.FTP_HR_LEAD_EMAILS = ["HANA.HR@trust.example"]
    story.submitted()
    sweep_on(clock, dt.date(2026, 3, 5))
    assert sweep_on(clock, dt.date(2026, 3, 6)) == []
    assert sweep_on(clock, dt.date(2026, 3, 9)) == [(Kind.OVERDUE_HR, "hana.hr")]


def test_an_hr_lead_list_without_the_adviser_leaves_them_out(
    clock: Any, story: Story, settings: Any
) -> None:
    settings.FTP_HR_LEAD_EMAILS = ["head.of.er@trust.example"]
    story.submitted()
    assert sweep_on(clock, dt.date(2026, 3, 9)) == [(Kind.REMINDER, "hana.hr")]


def test_five_working_days_later_the_decision_maker_is_told(clock: Any, story: Story) -> None:
    story.submitted()
    sweep_on(clock, dt.date(2026, 3, 9))
    assert sweep_on(clock, dt.date(2026, 3, 13)) == []
    assert sweep_on(clock, dt.date(2026, 3, 16)) == [(Kind.OVERDUE_DECISION_MAKER, "dina.director")]


def test_each_notice_is_sent_once_however_often_the_sweep_runs(clock: Any, story: Story) -> None:
    story.submitted()
    first = sweep_on(clock, dt.date(2026, 3, 20))
    assert [kind for kind, _ in first] == sorted(Kind.deadline_kinds())
    assert sweep_on(clock, dt.date(2026, 3, 20)) == []
    assert sweep_on(clock, dt.date(2026, 3, 23)) == []


def test_a_missed_sweep_catches_up(clock: Any, story: Story) -> None:
    story.submitted()
    # Nobody swept for three weeks (beat was down): everything due is sent now.
    assert len(sweep_on(clock, dt.date(2026, 3, 23))) == 3


def test_reminders_and_escalations_never_move_a_case(clock: Any, story: Story) -> None:
    case = story.submitted()
    sweep_on(clock, dt.date(2026, 3, 20))
    after = fresh(case)
    assert (after.stage, after.version, after.updated_at) == (
        case.stage,
        case.version,
        case.updated_at,
    )
    assert CaseStep.objects.filter(case=case).count() == 1


def test_a_bank_holiday_weekend_moves_the_due_date_and_the_reminder(
    clock: Any, story: Story
) -> None:
    clock.to(dt.date(2026, 4, 2), hour=15)  # Thursday before Good Friday
    case = story.submitted()
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    # Good Friday and Easter Monday do not count: due Monday 13 April, not Thursday 9th.
    assert step.due_on == dt.date(2026, 4, 13)
    assert sweep_on(clock, dt.date(2026, 4, 8)) == []
    assert sweep_on(clock, dt.date(2026, 4, 9)) == [(Kind.REMINDER, "hana.hr")]


def test_a_reminder_that_would_fall_before_the_step_began_fires_the_day_it_began() -> None:
    policy_set(reminder_working_days_before=10)
    dates = notice_dates(entered_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 9))
    assert dates[Kind.REMINDER] == dt.date(2026, 3, 2)


def test_a_step_done_in_time_gets_no_reminder_and_the_next_step_its_own(
    clock: Any, story: Story, people: Any
) -> None:
    case = story.submitted()
    clock.to(dt.date(2026, 3, 3))
    case_triage(case_id=case.pk, actor=people.hr, route="informal")
    triage = CaseStep.objects.get(case=case, step="triage")
    assert not ScheduledNotice.objects.filter(step=triage).exists()
    informal = CaseStep.objects.get(case=case, step="informal")
    assert informal.due_on == dt.date(2026, 3, 31)  # 20 working days from Tuesday 3 March
    assert sweep_on(clock, dt.date(2026, 3, 26)) == []
    # The manager owes the informal step: the reminder is theirs.
    assert sweep_on(clock, dt.date(2026, 3, 27)) == [(Kind.REMINDER, "maya.manager")]


def test_the_chair_is_reminded_of_the_panel_decision(clock: Any, story: Story, people: Any) -> None:
    case = story.convened()
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    assert step.step == "decide"
    reminder = ScheduledNotice.objects.get(step=step, kind=Kind.REMINDER)
    assert sweep_on(clock, reminder.fire_on) == [(Kind.REMINDER, "priya.panel")]


def test_the_decision_maker_is_reminded_of_a_waiting_signoff(
    clock: Any, story: Story, people: Any
) -> None:
    case = story.signoff()
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    reminder = ScheduledNotice.objects.get(step=step, kind=Kind.REMINDER)
    assert sweep_on(clock, reminder.fire_on) == [(Kind.REMINDER, "dina.director")]
    assert recipients_of(Kind.REMINDER) == {people.director}


def test_a_closed_case_gets_no_more_notices(clock: Any, story: Story) -> None:
    story.closed()
    assert not ScheduledNotice.objects.exists()
    assert sweep_on(clock, dt.date(2026, 6, 1)) == []


def test_a_step_visited_again_gets_fresh_reminders(clock: Any, story: Story, people: Any) -> None:
    from workflow.services import case_signoff

    case = story.signoff()
    first_decide = CaseStep.objects.get(case=case, step="decide")
    # Deleted when the panel decided: nothing of the first spell fires.
    assert not ScheduledNotice.objects.filter(step=first_decide).exists()
    case_signoff(
        case_id=case.pk, actor=people.director, approve=False, reason="Consider the workload."
    )
    again = CaseStep.objects.get(case=case, step="decide", left_at__isnull=True)
    reminder = ScheduledNotice.objects.get(step=again, kind=Kind.REMINDER)
    assert sweep_on(clock, reminder.fire_on) == [(Kind.REMINDER, "priya.panel")]


def test_a_panel_still_declaring_reminds_the_members_who_owe_it(
    clock: Any, story: Story, people: Any
) -> None:
    from panels.services import panel_declare

    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=people.panel_a, no_conflict=True)
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    reminder = ScheduledNotice.objects.get(step=step, kind=Kind.REMINDER)
    # Priya has declared but not given a view; Paul and Pat have not declared.
    assert sweep_on(clock, reminder.fire_on) == [
        (Kind.REMINDER, "pat.panel"),
        (Kind.REMINDER, "paul.panel"),
        (Kind.REMINDER, "priya.panel"),
    ]


def test_a_panel_with_an_empty_seat_reminds_hr(clock: Any, story: Story, people: Any) -> None:
    from panels.services import panel_declare

    case = story.just_convened()
    panel_declare(
        case_id=case.pk, actor=people.panel_b, no_conflict=False, reason="I manage the employee."
    )
    step = CaseStep.objects.get(case=case, left_at__isnull=True)
    reminder = ScheduledNotice.objects.get(step=step, kind=Kind.REMINDER)
    assert sweep_on(clock, reminder.fire_on) == [(Kind.REMINDER, "hana.hr")]
