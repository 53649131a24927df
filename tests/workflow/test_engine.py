"""The engine's contract: checks in the order the API reports them, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, NotAllowed, NotFound
from panels.services import panel_decision_record
from workflow.services import case_signoff, case_triage, referral_withdraw

from .steps import RATIONALE, Story, refused

pytestmark = pytest.mark.django_db


def test_an_unknown_case_is_not_found(cast: Any) -> None:
    refused(NotFound, case_triage, case_id=10**9, actor=cast.hr, route="informal")


def test_not_seeing_the_case_comes_before_everything(cast: Any, story: Story) -> None:
    # A closed case, a wrong role and a stale version: the outsider learns only 404.
    case = story.closed()
    refused(
        NotFound,
        case_triage,
        case_id=case.pk,
        actor=cast.outsider,
        route="informal",
        expected_version=0,
    )


@pytest.mark.parametrize(
    ("where", "who", "service", "kwargs"),
    [
        ("informal", "manager", case_triage, {"route": "informal"}),
        ("formal", "director", referral_withdraw, {"reason": "No longer needed."}),
        (
            "closed",
            "director",
            panel_decision_record,
            {"outcome": "mediation", "rationale": RATIONALE},
        ),
        (
            "submitted",
            "hr",
            case_signoff,
            {"approve": True, "reason": "Proportionate to the concern."},
        ),
    ],
)
def test_a_role_that_may_never_act_is_told_so_before_the_stage(
    cast: Any, story: Story, where: str, who: str, service: Any, kwargs: dict[str, Any]
) -> None:
    """403 before 409, as ``case_action`` documents: the answer to "may I ever
    do this?" does not depend on where the case happens to be."""
    case = story.at(where)
    refused(NotAllowed, service, case_id=case.pk, actor=getattr(cast, who), **kwargs)


def test_the_stage_is_checked_before_the_version(cast: Any, story: Story) -> None:
    case = story.informal()
    exc = refused(
        Conflict,
        case_triage,
        case_id=case.pk,
        actor=cast.hr,
        route="informal",
        expected_version=case.version,
    )
    assert "does not apply" in exc.message
