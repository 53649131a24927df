"""Every case keeps a spell per step of its flow, each with a working-day due date."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tenancy.policy import trust_policy
from workflow.deadlines import due_on_for, is_overdue
from workflow.models import CaseStep, Stage
from workflow.services import case_signoff, referral_withdraw

from ..policy import policy_set
from .steps import Story

LONDON = ZoneInfo("Europe/London")


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(moment).replace(tzinfo=LONDON), tick=False)


def spells(case: Any) -> list[tuple[str, str, bool]]:
    rows = CaseStep.objects.filter(case=case).order_by("entered_at", "id")
    return [(s.step, s.stage, s.left_at is None) for s in rows]


@pytest.fixture
def story(cast: Any, employee: Any) -> Story:
    return Story(cast, employee)


@pytest.mark.django_db
def test_a_new_referral_waits_for_triage_due_five_working_days_later(story: Story) -> None:
    with at("2026-11-20T16:30"):  # a Friday afternoon
        case = story.submitted()
    step = CaseStep.objects.get(case=case)
    assert (step.step, step.stage, step.left_at) == ("triage", Stage.SUBMITTED, None)
    assert step.due_on == dt.date(2026, 11, 27)


@pytest.mark.django_db
def test_a_case_that_reaches_formal_has_a_closed_spell_for_every_step(story: Story) -> None:
    case = story.formal()
    assert spells(case) == [
        ("triage", "submitted", False),
        ("convene", "panel", False),
        ("decide", "panel", False),
        ("signoff", "signoff", False),
        # The formal process (formal/) opens its investigation beside the flow.
        ("investigate", "formal", True),
    ]


@pytest.mark.django_db
def test_a_declined_signoff_sends_the_case_back_to_a_fresh_decide_clock(
    story: Story, cast: Any
) -> None:
    case = story.signoff()
    with at("2026-12-23T09:00"):
        case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason="Not yet weighed.")
    assert spells(case)[-2:] == [("signoff", "signoff", False), ("decide", "panel", True)]
    # Ten working days from 23 December skip Christmas, Boxing Day (observed) and New Year.
    # 24, 29, 30, 31 Dec, then 4-8 and 11 Jan.
    assert CaseStep.objects.get(case=case, left_at=None).due_on == dt.date(2027, 1, 11)


@pytest.mark.django_db
def test_a_return_to_the_manager_and_a_resubmission_each_start_a_new_clock(story: Story) -> None:
    case = story.resubmitted()
    assert spells(case) == [
        ("triage", "submitted", False),
        ("resubmit", "submitted", False),
        ("triage", "submitted", True),
    ]


@pytest.mark.django_db
def test_withdrawing_closes_the_open_spell_and_opens_none(story: Story, cast: Any) -> None:
    case = story.informal()
    referral_withdraw(case_id=case.pk, actor=cast.manager, reason="Sorted out between them.")
    assert spells(case) == [("triage", "submitted", False), ("informal", "informal", False)]


@pytest.mark.django_db
def test_a_due_date_is_frozen_when_the_step_opens(story: Story) -> None:
    with at("2026-11-23T10:00"):
        case = story.submitted()
    policy_set(step_time_limits={**trust_policy().step_time_limits, "triage": 1})
    assert due_on_for("triage", dt.datetime(2026, 11, 23, 10, tzinfo=LONDON)) == dt.date(
        2026, 11, 24
    )
    assert CaseStep.objects.get(case=case).due_on == dt.date(2026, 11, 30)


def test_a_step_is_overdue_only_after_its_due_date() -> None:
    due = dt.date(2026, 11, 27)
    assert not is_overdue(due, today=due)
    assert is_overdue(due, today=due + dt.timedelta(days=1))
    assert not is_overdue(None, today=due)
