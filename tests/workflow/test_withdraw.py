"""Withdrawing a referral: from every open stage, by the manager or HR, never after."""

from __future__ import annotations

from typing import Any

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from core.errors import Conflict, NotAllowed, NotFound
from workflow.engine import stage_from_flow
from workflow.models import Outcome, Stage
from workflow.services import referral_withdraw

from .steps import OPEN_POINTS, Event, Story, events, fresh, invalid, nodes, process_status, refused

pytestmark = pytest.mark.django_db

REASON = "The employee has resigned and the concern no longer needs action."


@pytest.mark.parametrize("who", ["manager", "hr"])
@pytest.mark.parametrize("where", OPEN_POINTS)
def test_withdraw_from_each_open_stage(cast: Any, story: Story, where: str, who: str) -> None:
    case = story.at(where)
    stage, version = case.stage, case.version
    actor = getattr(cast, who)

    referral_withdraw(case_id=case.pk, actor=actor, reason=f"  {REASON}  ")

    case = fresh(case)
    assert case.stage == Stage.CLOSED == stage_from_flow(case)
    assert case.outcome == Outcome.WITHDRAWN
    assert case.closed_at is not None
    assert case.formal_commissioned_at is None
    assert case.version == version + 1
    assert process_status(case) == PROCESS.CANCELED
    assert nodes(case) == []
    assert not Task.objects.filter(
        process_id=case.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
    ).exists()
    assert events(case)[-1] == Event("withdraw", stage, "closed", actor, REASON)


def test_withdraw_needs_a_reason(cast: Any, story: Story) -> None:
    case = story.informal()
    assert invalid(referral_withdraw, case_id=case.pk, actor=cast.manager, reason="  ") == {
        "reason"
    }


@pytest.mark.parametrize("who", ["director", "panel_b"])
def test_roles_that_see_the_case_may_not_withdraw_it(cast: Any, story: Story, who: str) -> None:
    case = story.convened()
    refused(NotAllowed, referral_withdraw, case_id=case.pk, actor=getattr(cast, who), reason=REASON)


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider", "panel_a"])
def test_people_who_cannot_see_the_case_get_not_found(cast: Any, story: Story, who: str) -> None:
    case = story.submitted()  # no panel yet, so panel_a is not convened on it
    refused(NotFound, referral_withdraw, case_id=case.pk, actor=getattr(cast, who), reason=REASON)


@pytest.mark.parametrize("where", ["formal", "closed"])
@pytest.mark.parametrize("who", ["manager", "hr"])
def test_a_terminal_case_cannot_be_withdrawn(cast: Any, story: Story, where: str, who: str) -> None:
    case = story.at(where)
    refused(Conflict, referral_withdraw, case_id=case.pk, actor=getattr(cast, who), reason=REASON)


def test_a_withdrawn_case_cannot_be_withdrawn_again(cast: Any, story: Story) -> None:
    case = story.submitted()
    referral_withdraw(case_id=case.pk, actor=cast.manager, reason=REASON)
    refused(Conflict, referral_withdraw, case_id=case.pk, actor=cast.hr, reason=REASON)


def test_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.informal()
    refused(
        Conflict,
        referral_withdraw,
        case_id=case.pk,
        actor=cast.manager,
        reason=REASON,
        expected_version=case.version - 1,
    )
    referral_withdraw(
        case_id=case.pk, actor=cast.manager, reason=REASON, expected_version=case.version
    )
    assert fresh(case).stage == Stage.CLOSED


def test_an_unknown_case_is_not_found(cast: Any) -> None:
    refused(NotFound, referral_withdraw, case_id=987654, actor=cast.hr, reason=REASON)
