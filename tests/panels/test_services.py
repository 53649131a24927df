"""Convening a Fair Treatment Panel and recording its decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from panels.models import PANEL_OUTCOMES, Panel, PanelDecision, PoolMember
from panels.services import panel_convene, panel_decision_record
from staff.models import Employee
from workflow.models import Stage
from workflow.services import case_signoff

from ..policy import policy_set
from ..workflow.steps import (
    DECLINE_REASON,
    RATIONALE,
    Event,
    Story,
    events,
    fresh,
    invalid,
    nodes,
    refused,
    task_owner,
)

pytestmark = pytest.mark.django_db


def ids(*users: Any) -> list[int]:
    return [u.pk for u in users]


# --- convening -------------------------------------------------------------------


def test_hr_convenes_a_panel_and_its_chair_gets_the_decision(cast: Any, story: Story) -> None:
    case = story.panel()

    panel_convene(case_id=case.pk, actor=cast.hr, members=ids(*cast.panel), chair=cast.panel_c.pk)

    panel = Panel.objects.get(case=case)
    assert (panel.chair, panel.convened_by) == (cast.panel_c, cast.hr)
    assert set(panel.members.all()) == set(cast.panel)
    case = fresh(case)
    assert (case.stage, case.version) == (Stage.PANEL, 3)
    assert nodes(case) == ["decide"]
    assert task_owner(case, "decide") == cast.panel_c
    assert events(case)[-1] == Event("convene_panel", "panel", "panel", cast.hr, "")


def test_duplicate_members_count_once(cast: Any, story: Story) -> None:
    case = story.panel()
    a, b, c = cast.panel
    assert invalid(
        panel_convene, case_id=case.pk, actor=cast.hr, members=ids(a, a, b, b), chair=a.pk
    ) == {"members"}
    panel_convene(case_id=case.pk, actor=cast.hr, members=ids(a, b, a, c), chair=a.pk)
    assert Panel.objects.get(case=case).memberships.count() == 3


def test_the_minimum_size_comes_from_the_trust_policy(cast: Any, story: Story) -> None:
    policy_set(panel_min_members=3)
    case = story.panel()
    assert invalid(
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(cast.panel_a, cast.panel_b),
        chair=cast.panel_a.pk,
    ) == {"members"}
    policy_set(panel_min_members=2)
    panel_convene(
        case_id=case.pk,
        actor=cast.hr,
        members=ids(cast.panel_a, cast.panel_b),
        chair=cast.panel_a.pk,
    )
    assert Panel.objects.get(case=case).memberships.count() == 2


def test_the_maximum_size_comes_from_the_trust_policy(cast: Any, extras: Any, story: Story) -> None:
    policy_set(panel_max_members=3)
    case = story.panel()
    four = ids(*cast.panel, extras.panel_d)
    assert invalid(
        panel_convene, case_id=case.pk, actor=cast.hr, members=four, chair=cast.panel_a.pk
    ) == {"members"}
    policy_set(panel_max_members=4)
    panel_convene(case_id=case.pk, actor=cast.hr, members=four, chair=cast.panel_a.pk)


def test_no_members_at_all(cast: Any, story: Story) -> None:
    case = story.panel()
    assert invalid(panel_convene, case_id=case.pk, actor=cast.hr, members=[], chair=None) == {
        "members",
        "chair",
    }


@pytest.mark.parametrize("who", ["director", "hr", "other_manager", "outsider"])
def test_members_must_hold_the_panel_role(cast: Any, story: Story, who: str) -> None:
    case = story.panel()
    exc = refused(
        ValidationFailed,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(cast.panel_a, cast.panel_b, getattr(cast, who)),
        chair=cast.panel_a.pk,
    )
    assert isinstance(exc, ValidationFailed)
    assert list(exc.errors) == ["members"]
    assert f"[{getattr(cast, who).pk}]" in exc.errors["members"][0]


def test_an_inactive_panel_member_cannot_sit(cast: Any, story: Story) -> None:
    cast.panel_c.is_active = False
    cast.panel_c.save()
    case = story.panel()
    assert invalid(
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    ) == {"members"}


def test_the_referring_manager_cannot_sit_on_the_panel(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.panel(manager=extras.manager_panel)
    assert invalid(
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(cast.panel_a, cast.panel_b, extras.manager_panel),
        chair=cast.panel_a.pk,
    ) == {"members"}
    # ...though the same person may sit on a panel for someone else's referral.
    other = story.panel()
    panel_convene(
        case_id=other.pk,
        actor=cast.hr,
        members=ids(cast.panel_a, cast.panel_b, extras.manager_panel),
        chair=extras.manager_panel.pk,
    )


@pytest.mark.parametrize("chair", ["none", "outsider", "panel_d"])
def test_the_chair_must_be_one_of_the_members(
    cast: Any, extras: Any, story: Story, chair: str
) -> None:
    case = story.panel()
    chair_id = {"none": None, "outsider": cast.outsider.pk, "panel_d": extras.panel_d.pk}[chair]
    assert invalid(
        panel_convene, case_id=case.pk, actor=cast.hr, members=ids(*cast.panel), chair=chair_id
    ) == {"chair"}


def test_an_hr_adviser_who_sits_on_panels_may_convene_and_sit(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.panel()
    panel_convene(
        case_id=case.pk,
        actor=extras.hr_panel,
        members=ids(extras.hr_panel, cast.panel_a, cast.panel_b),
        chair=extras.hr_panel.pk,
    )
    story.deliberated(case)
    panel_decision_record(
        case_id=case.pk, actor=extras.hr_panel, outcome="mediation", rationale=RATIONALE
    )
    assert fresh(case).stage == Stage.CLOSED


def _break(rule: str, cast: Any, employee: Any) -> None:
    """Change the cast's pool so that a panel of the three breaks ``rule``."""
    pat = Employee.objects.get(user=cast.panel_c)
    if rule == "chair's band":
        Employee.objects.filter(user=cast.panel_a).update(band="7")
    elif rule == "independent":
        PoolMember.objects.filter(user=cast.panel_b).update(independent_trained_until=None)
    elif rule == "outside the ICSU":
        Employee.objects.filter(user=cast.panel_b).update(org_unit=pat.org_unit)
    elif rule == "department":
        Employee.objects.filter(pk=pat.pk).update(org_unit=employee.org_unit)
    elif rule == "line manager":
        Employee.objects.filter(pk=employee.pk).update(line_manager=pat)
    elif rule == "managed by the employee":
        Employee.objects.filter(pk=pat.pk).update(line_manager=employee)
    elif rule == "the employee":
        Employee.objects.filter(pk=pat.pk).update(user=None)
        Employee.objects.filter(pk=employee.pk).update(user=cast.panel_c)
    elif rule == "away":
        PoolMember.objects.filter(user=cast.panel_c).update(away_until=dt.date.today())
    elif rule == "not in the pool":
        PoolMember.objects.filter(user=cast.panel_c).delete()


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ("chair's band", "chair", "Chair's band: the chair must be at band 8a or above"),
        ("independent", "members", "Independent member: the panel needs at least 1 trained"),
        ("outside the ICSU", "members", "Member from outside the ICSU: the panel needs at least"),
        ("department", "members", "Conflict of interest: pat.panel works in the employee's"),
        ("line manager", "members", "Conflict of interest: pat.panel is in the employee's line"),
        ("managed by the employee", "members", "Conflict of interest: pat.panel is line-managed"),
        ("the employee", "members", "Conflict of interest: pat.panel is the employee"),
        ("away", "members", "Availability: pat.panel is away until"),
        ("not in the pool", "members", "Panel pool: pat.panel is not in the panel pool"),
    ],
)
def test_a_panel_that_breaks_a_rule_is_refused_naming_the_rule(
    cast: Any, story: Story, rule: str, field: str, message: str
) -> None:
    case = story.panel()
    _break(rule, cast, story.employee)

    exc = refused(
        ValidationFailed,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    )

    assert isinstance(exc, ValidationFailed)
    assert list(exc.errors) == [field]
    assert exc.errors[field][0].startswith(message), exc.errors


def test_the_composition_rules_are_trust_policy(cast: Any, story: Story) -> None:
    case = story.panel()
    policy_set(panel_min_independent=2)
    assert invalid(
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_b.pk,
    ) == {"members"}
    policy_set(panel_min_independent=1, panel_chair_min_band="8b")
    assert invalid(
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    ) == {"chair"}
    panel_convene(case_id=case.pk, actor=cast.hr, members=ids(*cast.panel), chair=cast.panel_b.pk)


@pytest.mark.parametrize("who", ["manager", "director"])
def test_only_hr_may_convene(cast: Any, story: Story, who: str) -> None:
    case = story.panel()
    refused(
        NotAllowed,
        panel_convene,
        case_id=case.pk,
        actor=getattr(cast, who),
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    )


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider", "panel_a"])
def test_convene_by_people_who_cannot_see_the_case(cast: Any, story: Story, who: str) -> None:
    case = story.panel()
    refused(
        NotFound,
        panel_convene,
        case_id=case.pk,
        actor=getattr(cast, who),
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    )


@pytest.mark.parametrize(
    "where", ["submitted", "returned", "informal", "convened", "signoff", "formal", "closed"]
)
def test_convene_applies_only_while_the_panel_is_to_be_convened(
    cast: Any, story: Story, where: str
) -> None:
    case = story.at(where)
    refused(
        Conflict,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
    )


def test_convene_with_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.panel()
    refused(
        Conflict,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_a.pk,
        expected_version=case.version - 1,
    )


# --- deciding ---------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [o.value for o in PANEL_OUTCOMES])
def test_each_outcome_is_recorded_with_its_rationale(cast: Any, story: Story, outcome: str) -> None:
    case = story.convened()
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome=outcome, rationale=f"  {RATIONALE}  "
    )
    decision = PanelDecision.objects.get(case=case)
    assert (decision.outcome, decision.rationale, decision.decided_by, decision.panel) == (
        outcome,
        RATIONALE,
        cast.panel_a,
        Panel.objects.get(case=case),
    )
    case = fresh(case)
    assert case.outcome == outcome
    expected = Stage.SIGNOFF if outcome == "formal_investigation" else Stage.CLOSED
    assert case.stage == expected
    assert events(case)[-1] == Event("decide", "panel", expected, cast.panel_a, RATIONALE)


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"outcome": "", "rationale": RATIONALE}, {"outcome"}),
        ({"outcome": "withdrawn", "rationale": RATIONALE}, {"outcome"}),
        ({"outcome": "resolved_informally", "rationale": RATIONALE}, {"outcome"}),
        ({"outcome": "mediation", "rationale": ""}, {"rationale"}),
        ({"outcome": "mediation", "rationale": "Seems fair enough."}, {"rationale"}),
        ({"outcome": "mediation", "rationale": "   " + "x" * 19 + "   "}, {"rationale"}),
        ({"outcome": "sack them", "rationale": "Nope."}, {"outcome", "rationale"}),
    ],
)
def test_bad_decisions_are_reported_by_field(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.convened()
    assert invalid(panel_decision_record, case_id=case.pk, actor=cast.panel_a, **kwargs) == fields


@pytest.mark.parametrize("who", ["panel_b", "panel_c", "hr", "director", "manager"])
def test_only_the_chair_decides(cast: Any, story: Story, who: str) -> None:
    case = story.convened()
    refused(
        NotAllowed,
        panel_decision_record,
        case_id=case.pk,
        actor=getattr(cast, who),
        outcome="mediation",
        rationale=RATIONALE,
    )


def test_a_panel_member_not_convened_cannot_see_the_case(extras: Any, story: Story) -> None:
    case = story.convened()
    refused(
        NotFound,
        panel_decision_record,
        case_id=case.pk,
        actor=extras.panel_d,
        outcome="mediation",
        rationale=RATIONALE,
    )


@pytest.mark.parametrize("who", ["other_manager", "governance", "outsider"])
def test_decide_by_people_who_cannot_see_the_case(cast: Any, story: Story, who: str) -> None:
    case = story.convened()
    refused(
        NotFound,
        panel_decision_record,
        case_id=case.pk,
        actor=getattr(cast, who),
        outcome="mediation",
        rationale=RATIONALE,
    )


def test_a_chair_who_lost_the_panel_role_may_not_decide(cast: Any, story: Story) -> None:
    case = story.convened()
    cast.panel_a.memberships.all().delete()
    cast.panel_a = type(cast.panel_a).objects.get(pk=cast.panel_a.pk)  # forget cached roles
    refused(
        NotFound,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )


@pytest.mark.parametrize("where", ["signoff", "formal", "closed"])
def test_the_chair_decides_only_while_a_decision_is_awaited(
    cast: Any, story: Story, where: str
) -> None:
    case = story.at(where) if where != "closed" else story.decide(story.convened(), "mediation")
    refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )


def test_after_a_declined_signoff_only_the_same_chair_decides_again(
    cast: Any, story: Story
) -> None:
    case = story.signoff()
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)
    refused(
        NotAllowed,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_b,
        outcome="mediation",
        rationale=RATIONALE,
    )
    refused(
        Conflict,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=ids(*cast.panel),
        chair=cast.panel_b.pk,
    )
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    )
    assert fresh(case).stage == Stage.CLOSED
    assert PanelDecision.objects.filter(case=case).count() == 2
    assert Panel.objects.filter(case=case).count() == 1


def test_decide_with_a_stale_version_is_a_conflict(cast: Any, story: Story) -> None:
    case = story.convened()
    refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
        expected_version=case.version - 1,
    )
