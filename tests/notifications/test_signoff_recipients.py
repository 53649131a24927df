"""Who is told a sign-off waits is who the engine lets sign it off
(``workflow.access.SignoffIndependent``): a decision-maker who neither
referred the case nor holds a seat on its panel."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from notifications.selectors import independent_decision_makers, users_with_role
from workflow.access import SignoffIndependent
from workflow.models import Case

from ..factories import in_pool, make_user, other_units
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db


def test_the_referrer_and_the_panel_are_not_told_even_when_they_are_decision_makers(
    story: Story, cast: Any
) -> None:
    referrer = make_user("mo.manager-dm", Role.MANAGER, Role.DECISION_MAKER)
    member = make_user("dan.dm-panel", Role.DECISION_MAKER, Role.PANEL)
    in_pool(member, unit=other_units()["other_icsu"], band="8a", trained=True)
    case = story.signoff(members=[member, cast.panel_b, cast.panel_c], manager=referrer)

    told = independent_decision_makers(case)

    assert told == [cast.director]
    # The same people the rule's Python form allows, read with the panels.
    case = Case.objects.prefetch_related("panels__memberships").get(pk=case.pk)
    deciders = users_with_role(Role.DECISION_MAKER)
    assert {referrer, member, cast.director} <= set(deciders)
    assert told == [u for u in deciders if SignoffIndependent.allows(u, case)]
