"""Recording the informal stage's outcome: who may, when, and with what input."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, NotAllowed, NotFound
from workflow.services import case_record_informal_outcome

from .steps import INFORMAL_ACTIONS, UNRESOLVED_REASON, Story, invalid, refused

pytestmark = pytest.mark.django_db

RESOLVED = {"resolved": True, "actions": INFORMAL_ACTIONS}


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"resolved": None, "actions": INFORMAL_ACTIONS}, {"resolved"}),
        ({"resolved": "yes", "actions": INFORMAL_ACTIONS}, {"resolved"}),
        ({"resolved": True, "actions": "  "}, {"actions"}),
        ({"resolved": False, "actions": INFORMAL_ACTIONS}, {"reason"}),
        ({"resolved": False, "actions": "", "reason": ""}, {"actions", "reason"}),
        ({"resolved": None, "actions": ""}, {"resolved", "actions"}),
    ],
)
def test_bad_input_is_reported_by_field(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.informal()
    assert (
        invalid(case_record_informal_outcome, case_id=case.pk, actor=cast.manager, **kwargs)
        == fields
    )


@pytest.mark.parametrize("who", ["director"])
def test_roles_that_see_the_case_but_may_not_record(cast: Any, story: Story, who: str) -> None:
    case = story.informal()
    refused(
        NotAllowed,
        case_record_informal_outcome,
        case_id=case.pk,
        actor=getattr(cast, who),
        **RESOLVED,
    )


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider", "panel_a"])
def test_people_who_cannot_see_the_case_get_not_found(cast: Any, story: Story, who: str) -> None:
    case = story.informal()
    refused(
        NotFound,
        case_record_informal_outcome,
        case_id=case.pk,
        actor=getattr(cast, who),
        **RESOLVED,
    )


@pytest.mark.parametrize(
    "where", ["submitted", "returned", "panel", "convened", "signoff", "formal", "closed"]
)
@pytest.mark.parametrize("who", ["manager", "hr"])
def test_applies_only_at_the_informal_stage(cast: Any, story: Story, where: str, who: str) -> None:
    case = story.at(where)
    refused(
        Conflict,
        case_record_informal_outcome,
        case_id=case.pk,
        actor=getattr(cast, who),
        resolved=False,
        actions=INFORMAL_ACTIONS,
        reason=UNRESOLVED_REASON,
    )


def test_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.informal()
    refused(
        Conflict,
        case_record_informal_outcome,
        case_id=case.pk,
        actor=cast.hr,
        expected_version=case.version - 1,
        **RESOLVED,
    )
