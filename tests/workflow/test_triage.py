"""Triage and resubmission: who may, when, and with what input."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, NotAllowed, NotFound
from workflow.models import Stage
from workflow.services import case_triage, referral_resubmit, referral_submit

from ..factories import referral_kwargs
from .steps import PANEL_REASON, RESUBMIT_NOTE, Story, fresh, invalid, refused

pytestmark = pytest.mark.django_db


# --- triage ------------------------------------------------------------------


def test_informal_needs_no_reason_but_keeps_one_given(cast: Any, story: Story) -> None:
    case = story.submitted()
    case_triage(case_id=case.pk, actor=cast.hr, route="informal", reason="  Low-level.  ")
    case = fresh(case)
    assert (case.stage, case.triage_route, case.triage_reason) == (
        Stage.INFORMAL,
        "informal",
        "Low-level.",
    )


def test_policy_is_ignored_unless_redirecting(cast: Any, story: Story) -> None:
    case = story.submitted()
    case_triage(
        case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON, policy="grievance"
    )
    assert fresh(case).redirect_policy == ""


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"route": ""}, {"route"}),
        ({"route": "formal"}, {"route"}),
        ({"route": "panel"}, {"reason"}),
        ({"route": "panel", "reason": "   "}, {"reason"}),
        ({"route": "redirect"}, {"reason", "policy"}),
        ({"route": "redirect", "reason": "Belongs elsewhere."}, {"policy"}),
        ({"route": "redirect", "reason": "Belongs elsewhere.", "policy": "payroll"}, {"policy"}),
        ({"route": "redirect", "policy": "grievance"}, {"reason"}),
        ({"route": "return"}, {"reason"}),
    ],
)
def test_bad_triage_input_is_reported_by_field(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.submitted()
    assert invalid(case_triage, case_id=case.pk, actor=cast.hr, **kwargs) == fields


@pytest.mark.parametrize("who", ["manager", "director"])
def test_only_hr_may_triage(cast: Any, story: Story, who: str) -> None:
    case = story.submitted()
    refused(NotAllowed, case_triage, case_id=case.pk, actor=getattr(cast, who), route="informal")


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider", "panel_a"])
def test_people_who_cannot_see_the_case_get_not_found(cast: Any, story: Story, who: str) -> None:
    case = story.submitted()
    refused(NotFound, case_triage, case_id=case.pk, actor=getattr(cast, who), route="informal")


def test_an_hr_adviser_may_not_triage_their_own_referral(
    extras: Any, cast: Any, employee: Any
) -> None:
    case = referral_submit(actor=extras.manager_hr, **referral_kwargs(employee))
    refused(NotAllowed, case_triage, case_id=case.pk, actor=extras.manager_hr, route="informal")
    case_triage(case_id=case.pk, actor=cast.hr, route="informal")


@pytest.mark.parametrize(
    "where", ["returned", "informal", "panel", "convened", "signoff", "formal", "closed"]
)
def test_triage_applies_only_while_triage_is_open(cast: Any, story: Story, where: str) -> None:
    case = story.at(where)
    refused(Conflict, case_triage, case_id=case.pk, actor=cast.hr, route="informal")


def test_triage_with_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.submitted()
    refused(
        Conflict,
        case_triage,
        case_id=case.pk,
        actor=cast.hr,
        route="informal",
        expected_version=case.version + 1,
    )
    case_triage(case_id=case.pk, actor=cast.hr, route="informal", expected_version=case.version)


# --- resubmission -------------------------------------------------------------


def test_resubmit_needs_a_note_and_a_sound_summary(cast: Any, story: Story) -> None:
    case = story.returned()
    assert invalid(referral_resubmit, case_id=case.pk, actor=cast.manager) == {"note"}
    assert invalid(
        referral_resubmit,
        case_id=case.pk,
        actor=cast.manager,
        note=RESUBMIT_NOTE,
        summary="Too short.",
    ) == {"summary"}
    assert invalid(
        referral_resubmit, case_id=case.pk, actor=cast.manager, note=" ", summary=""
    ) == {"note", "summary"}


@pytest.mark.parametrize("who", ["hr", "director"])
def test_only_the_referring_manager_may_resubmit(cast: Any, story: Story, who: str) -> None:
    case = story.returned()
    refused(
        NotAllowed, referral_resubmit, case_id=case.pk, actor=getattr(cast, who), note=RESUBMIT_NOTE
    )


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider", "panel_a"])
def test_resubmit_by_people_who_cannot_see_the_case(cast: Any, story: Story, who: str) -> None:
    case = story.returned()
    refused(
        NotFound, referral_resubmit, case_id=case.pk, actor=getattr(cast, who), note=RESUBMIT_NOTE
    )


@pytest.mark.parametrize("where", ["submitted", "resubmitted", "informal", "signoff", "closed"])
def test_resubmit_applies_only_after_a_return(cast: Any, story: Story, where: str) -> None:
    case = story.at(where)
    refused(Conflict, referral_resubmit, case_id=case.pk, actor=cast.manager, note=RESUBMIT_NOTE)


def test_resubmit_with_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.returned()
    refused(
        Conflict,
        referral_resubmit,
        case_id=case.pk,
        actor=cast.manager,
        note=RESUBMIT_NOTE,
        expected_version=1,
    )
