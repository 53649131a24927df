"""The formal process through the API's action endpoints, end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from workflow.models import Case

from ..api.steps import Api, action_url, case_url
from ..workflow.steps import Story
from .conftest import Staff

pytestmark = pytest.mark.django_db


def test_hr_walks_the_process_through_the_api(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    api = Api.as_user(story.cast.hr)
    pk = formal_case.pk
    today = timezone.localdate().isoformat()
    steps = [
        ("name_investigator", {"investigator": staff.investigator.pk}),
        (
            "record_investigation_outcome",
            {"investigation_outcome": "hearing", "reason": "A case to answer."},
        ),
        (
            "schedule_hearing",
            {
                "hearing_on": (timezone.now() + dt.timedelta(days=5)).isoformat(),
                "chair": staff.chair.pk,
                "accompaniment_told": True,
                "companion_role": "colleague",
            },
        ),
        (
            "record_hearing_outcome",
            {"held_on": today, "sanction": "first_written", "detail": "Six months."},
        ),
        ("lodge_appeal", {"lodged_on": today, "grounds": "Too severe.", "hearer": staff.hearer.pk}),
        ("record_appeal_outcome", {"appeal_outcome": "upheld"}),
    ]
    for action, body in steps:
        response = api.post(action_url(pk, action), body)
        assert response.status_code == 200, (action, response.content)
    formal = api.get(case_url(pk)).json()["formal"]
    assert formal["stage"] == "concluded"
    assert formal["sanction"] == "first_written"
    assert formal["appeal_outcome"] == "upheld"
    assert [s["step"] for s in formal["steps"]] == ["investigate", "hearing", "appeal"]
    assert all(s["left_at"] is not None for s in formal["steps"])


def test_a_bad_choice_is_a_400_naming_the_field(formal_case: Case, story: Story) -> None:
    api = Api.as_user(story.cast.hr)
    response = api.post(
        action_url(formal_case.pk, "record_investigation_outcome"),
        {"investigation_outcome": "banishment", "reason": "x"},
    )
    assert response.status_code == 400
    assert "investigation_outcome" in str(response.json())
