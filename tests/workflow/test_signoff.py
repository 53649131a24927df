"""The sign-off is an independent check: never the referrer, never the panel."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, NotAllowed, NotFound
from workflow.models import Stage
from workflow.services import case_signoff

from .steps import DECLINE_REASON, Story, fresh, invalid, refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"approve": None}, {"approve"}),
        ({"approve": "yes"}, {"approve"}),
        ({"approve": False}, {"reason"}),
        ({"approve": False, "reason": "   "}, {"reason"}),
        # Approving a formal investigation needs its reason as declining does.
        ({"approve": True}, {"reason"}),
        ({"approve": True, "reason": "  "}, {"reason"}),
    ],
)
def test_bad_input_is_reported_by_field(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.signoff()
    assert invalid(case_signoff, case_id=case.pk, actor=cast.director, **kwargs) == fields


def test_an_approval_may_carry_a_note(cast: Any, story: Story) -> None:
    case = story.signoff()
    case_signoff(case_id=case.pk, actor=cast.director, approve=True, reason="  Proportionate. ")
    assert fresh(case).stage == Stage.FORMAL
    assert fresh(case).signoffs.get().reason == "Proportionate."


@pytest.mark.parametrize("who", ["manager", "hr", "panel_a", "panel_b"])
def test_roles_that_see_the_case_may_not_sign_off(cast: Any, story: Story, who: str) -> None:
    case = story.signoff()
    refused(
        NotAllowed,
        case_signoff,
        case_id=case.pk,
        actor=getattr(cast, who),
        approve=True,
        reason="Proportionate to the concern.",
    )


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider"])
def test_people_who_cannot_see_the_case_get_not_found(cast: Any, story: Story, who: str) -> None:
    case = story.signoff()
    refused(
        NotFound,
        case_signoff,
        case_id=case.pk,
        actor=getattr(cast, who),
        approve=True,
        reason="Proportionate to the concern.",
    )


def test_a_panel_member_not_convened_cannot_see_the_case(extras: Any, story: Story) -> None:
    case = story.signoff()
    refused(
        NotFound,
        case_signoff,
        case_id=case.pk,
        actor=extras.panel_d,
        approve=True,
        reason="Proportionate to the concern.",
    )


def test_the_referring_manager_never_signs_off_even_as_a_decision_maker(
    extras: Any, cast: Any, story: Story
) -> None:
    case = story.signoff(manager=extras.manager_dm)
    refused(
        NotAllowed,
        case_signoff,
        case_id=case.pk,
        actor=extras.manager_dm,
        approve=True,
        reason="Proportionate to the concern.",
    )
    refused(
        NotAllowed,
        case_signoff,
        case_id=case.pk,
        actor=extras.manager_dm,
        approve=False,
        reason=DECLINE_REASON,
    )
    # Someone else can.
    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )
    assert fresh(case).stage == Stage.FORMAL


def test_a_decision_maker_who_sat_on_the_panel_cannot_sign_off(
    extras: Any, cast: Any, story: Story
) -> None:
    # The decision-maker is an ordinary member here, not the chair.
    case = story.signoff(members=[cast.panel_a, cast.panel_b, extras.dm_panel])
    refused(
        NotAllowed,
        case_signoff,
        case_id=case.pk,
        actor=extras.dm_panel,
        approve=True,
        reason="Proportionate to the concern.",
    )
    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )


def test_a_decision_maker_who_chaired_the_panel_cannot_sign_off(
    extras: Any, cast: Any, story: Story
) -> None:
    case = story.signoff(members=[extras.dm_panel, cast.panel_a, cast.panel_b])
    assert fresh(case).stage == Stage.SIGNOFF
    refused(
        NotAllowed,
        case_signoff,
        case_id=case.pk,
        actor=extras.dm_panel,
        approve=True,
        reason="Proportionate to the concern.",
    )


def test_another_manager_who_is_a_decision_maker_may_sign_off(extras: Any, story: Story) -> None:
    case = story.signoff()
    case_signoff(
        case_id=case.pk,
        actor=extras.manager_dm,
        approve=True,
        reason="Proportionate to the concern.",
    )
    assert fresh(case).stage == Stage.FORMAL


@pytest.mark.parametrize(
    "where", ["submitted", "returned", "informal", "panel", "convened", "formal", "closed"]
)
def test_signoff_applies_only_at_the_signoff_stage(cast: Any, story: Story, where: str) -> None:
    case = story.at(where)
    refused(
        Conflict,
        case_signoff,
        case_id=case.pk,
        actor=cast.director,
        approve=True,
        reason="Proportionate to the concern.",
    )


def test_a_declined_case_cannot_be_signed_off_until_the_panel_decides(
    cast: Any, story: Story
) -> None:
    case = story.signoff()
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)
    refused(
        Conflict,
        case_signoff,
        case_id=case.pk,
        actor=cast.director,
        approve=True,
        reason="Proportionate to the concern.",
    )


def test_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.signoff()
    refused(
        Conflict,
        case_signoff,
        case_id=case.pk,
        actor=cast.director,
        approve=True,
        reason="Proportionate to the concern.",
        expected_version=case.version - 1,
    )
    case_signoff(
        case_id=case.pk,
        actor=cast.director,
        approve=True,
        reason="Proportionate to the concern.",
        expected_version=case.version,
    )
