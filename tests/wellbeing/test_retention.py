"""Destroying a case file under the retention schedule removes its wellbeing
check-ins (append-only until then; their notes can hold health details) and
its check-in schedule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from records.retention import case_destroy
from wellbeing.models import CheckIn, CheckInSchedule
from wellbeing.services import checkin_record
from workflow.services import case_record_informal_outcome

from ..records.world import LATER, at
from ..workflow.steps import INFORMAL_ACTIONS, Story

pytestmark = pytest.mark.django_db


def test_destroying_the_file_removes_its_checkins(story: Story, cast: Any) -> None:
    with at(2024, 3, 4):
        case = story.informal()
        checkin_record(
            case_id=case.pk,
            actor=cast.hr,
            held_on=dt.date(2024, 3, 4),
            how="phone",
            notes="Signed off sick with stress.",
        )
        case_record_informal_outcome(
            case_id=case.pk, actor=cast.manager, resolved=True, actions=INFORMAL_ACTIONS
        )
    assert CheckIn.objects.filter(case=case).count() == 1
    with time_machine.travel(LATER):
        case_destroy(case_id=case.pk, actor=cast.hr, reference=case.reference, reason="Due.")
    assert not CheckIn.objects.filter(case=case).exists()
    assert not CheckInSchedule.objects.filter(case=case).exists()
