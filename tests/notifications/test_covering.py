"""Reminders follow the delegate: a reminder that falls due while its person
is away goes to whoever covers them, saying whom it is for; the HR stage's
reminders go to the case owner; after the delegation, to the person again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from notifications.services import deadline_sweep
from workflow.services import case_triage, referral_withdraw
from workflow.services.delegation import delegation_set

from ..factories import make_user
from ..workflow.steps import PANEL_REASON, Story

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


def sweep_on(clock: Any, day: dt.date) -> list[Notification]:
    before = set(Notification.objects.values_list("pk", flat=True))
    clock.to(day)
    deadline_sweep()
    return list(Notification.objects.exclude(pk__in=before).select_related("recipient", "case"))


def test_a_reminder_due_during_a_delegation_goes_to_the_delegate(
    clock: Any, story: Story, cast: Any
) -> None:
    cover = make_user("colin.cover", Role.MANAGER)
    story.informal()  # informal: the referring manager's step, due in 20 working days
    delegation_set(
        actor=cast.manager,
        person_id=cast.manager.pk,
        delegate_id=cover.pk,
        starts_on=dt.date(2026, 3, 25),
        ends_on=dt.date(2026, 3, 31),
        reason="Leave.",
    )
    # The reminder fires two working days before the due date (30 March).
    told = sweep_on(clock, dt.date(2026, 3, 26))
    assert [(n.kind, n.recipient.username) for n in told] == [(Kind.REMINDER, "colin.cover")]
    note = told[0]
    assert inapp_text(note).startswith("For maya.manager: ")
    assert email_subject(note).startswith("For maya.manager: ")
    assert email_body(note).startswith("You are covering for maya.manager")


def test_after_the_delegation_ends_reminders_go_to_the_person_again(
    clock: Any, story: Story, cast: Any
) -> None:
    cover = make_user("colin.cover", Role.MANAGER)
    story.informal()
    delegation_set(
        actor=cast.manager,
        person_id=cast.manager.pk,
        delegate_id=cover.pk,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 20),
    )
    told = sweep_on(clock, dt.date(2026, 3, 26))
    assert [(n.kind, n.recipient.username) for n in told] == [(Kind.REMINDER, "maya.manager")]
    assert not inapp_text(told[0]).startswith("For ")


def test_hr_stage_reminders_go_to_the_case_owner_or_their_delegate(
    clock: Any, story: Story, cast: Any
) -> None:
    owner = make_user("olu.owner", Role.HR)
    other = make_user("hugh.hr", Role.HR)
    case = story.submitted()
    case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON, owner=owner.pk)
    # Convening is HR's, due in 5 working days (9 March): reminded on the 5th.
    delegation_set(
        actor=owner,
        person_id=owner.pk,
        delegate_id=other.pk,
        starts_on=dt.date(2026, 3, 5),
        ends_on=dt.date(2026, 3, 5),
    )
    told = sweep_on(clock, dt.date(2026, 3, 5))
    assert [(n.kind, n.recipient.username) for n in told] == [(Kind.REMINDER, "hugh.hr")]
    assert inapp_text(told[0]).startswith("For olu.owner: ")


def test_task_notices_go_to_the_delegate(clock: Any, story: Story, cast: Any) -> None:
    cover = make_user("colin.cover", Role.MANAGER)
    case = story.submitted()
    delegation_set(
        actor=cast.manager,
        person_id=cast.manager.pk,
        delegate_id=cover.pk,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 6),
    )
    referral_withdraw(case_id=case.pk, actor=cast.hr, reason="Raised in error.")
    moved = Notification.objects.filter(kind=Kind.CASE_MOVED).select_related("recipient")
    assert [n.recipient.username for n in moved] == ["colin.cover"]
    assert inapp_text(moved[0]).startswith("For maya.manager: ")
