"""Submitting a referral: only a referring manager, only with sound input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from core.errors import NotAllowed
from workflow.engine import stage_from_flow
from workflow.models import JustCultureAssessment, Stage
from workflow.services import referral_submit

from ..factories import referral_kwargs
from .steps import Event, events, invalid, nodes, process_status, refused, task_owner

pytestmark = pytest.mark.django_db


def test_a_manager_submits_a_referral(cast: Any, employee: Any) -> None:
    case = referral_submit(actor=cast.manager, **referral_kwargs(employee))

    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED == stage_from_flow(case)
    assert (case.version, case.outcome, case.referring_manager) == (1, "", cast.manager)
    assert case.reference == f"FTP-{timezone.localdate().year}-00001"
    assert (case.employee_staff_number, case.employee_name, case.employee_org_unit) == (
        employee.staff_number,
        employee.name,
        employee.org_unit,
    )
    assert case.closed_at is None
    assert case.formal_commissioned_at is None
    assert process_status(case) == PROCESS.NEW
    # Triage waits in the HR queue: nobody owns it yet.
    assert nodes(case) == ["triage"]
    assert task_owner(case, "triage") is None
    assert JustCultureAssessment.objects.get(case=case).outcome == "G"
    assert events(case) == [Event("submit", "", "submitted", cast.manager, "")]


def test_references_are_numbered_in_order(cast: Any, employee: Any) -> None:
    first = referral_submit(actor=cast.manager, **referral_kwargs(employee))
    second = referral_submit(actor=cast.other_manager, **referral_kwargs(employee))
    assert [first.reference[-5:], second.reference[-5:]] == ["00001", "00002"]


def test_partial_just_culture_answers_give_no_letter_yet(cast: Any, employee: Any) -> None:
    case = referral_submit(
        actor=cast.manager, **referral_kwargs(employee, just_culture={"q1a": False})
    )
    assessment = JustCultureAssessment.objects.get(case=case)
    assert (assessment.q1a, assessment.q2a, assessment.outcome) == (False, None, "")


def test_a_manager_who_is_also_hr_may_submit(extras: Any, employee: Any) -> None:
    case = referral_submit(actor=extras.manager_hr, **referral_kwargs(employee))
    assert case.referring_manager == extras.manager_hr


@pytest.mark.parametrize("who", ["hr", "panel_a", "director", "governance", "outsider"])
def test_only_a_referring_manager_may_submit(cast: Any, employee: Any, who: str) -> None:
    refused(NotAllowed, referral_submit, actor=getattr(cast, who), **referral_kwargs(employee))


def test_an_inactive_manager_may_not_submit(cast: Any, employee: Any) -> None:
    cast.manager.is_active = False
    cast.manager.save()
    refused(NotAllowed, referral_submit, actor=cast.manager, **referral_kwargs(employee))


TODAY = dt.date.today()


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"staff_number": "NOPE-1"}, {"staff_number"}),
        ({"staff_number": ""}, {"staff_number"}),
        ({"concern_category": "rudeness"}, {"concern_category"}),
        ({"summary": "Too short."}, {"summary"}),
        ({"summary": "   "}, {"summary"}),
        ({"incident_date": None}, {"incident_date"}),
        ({"incident_date": TODAY + dt.timedelta(days=1)}, {"incident_date"}),
        ({"incident_date": TODAY - dt.timedelta(days=6 * 365)}, {"incident_date"}),
        ({"just_culture": {"q9z": True}}, {"just_culture"}),
        ({"just_culture": {"q1a": "yes"}}, {"just_culture"}),
        (
            {
                "staff_number": "NOPE-1",
                "concern_category": "",
                "summary": "",
                "incident_date": None,
                "just_culture": {"q1a": 1},
            },
            {"staff_number", "concern_category", "summary", "incident_date", "just_culture"},
        ),
    ],
)
def test_bad_input_is_reported_by_field(
    cast: Any, employee: Any, overrides: dict[str, Any], fields: set[str]
) -> None:
    kwargs = referral_kwargs(employee, **overrides)
    assert invalid(referral_submit, actor=cast.manager, **kwargs) == fields
