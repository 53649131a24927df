"""One case: who is shown the employee's ethnicity (and that each showing is
recorded), which actions each person is offered, and who may read its path."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from audit.models import AuditEvent, EventType

from ..factories import make_user
from .steps import PANEL_REASON, RATIONALE, Api, Walk, ok

pytestmark = pytest.mark.django_db


def accesses(user: Any) -> list[tuple[int | None, str, str]]:
    rows = AuditEvent.objects.filter(actor=user, action=EventType.VIEW_SPECIAL_CATEGORY)
    return [(r.case_id, r.payload["field"], r.payload["channel"]) for r in rows.order_by("seq")]


@pytest.mark.parametrize("who", ["hr", "director"])
def test_hr_and_decision_makers_are_shown_ethnicity_and_each_showing_is_recorded(
    cast: Any, walk: Walk, who: str
) -> None:
    case = walk.submitted()
    person = getattr(cast, who)
    api = Api.as_user(person)

    first = ok(api.case(case["id"]))
    ok(api.case(case["id"]))

    assert first["employee"]["ethnic_category"] == "N"
    shown = (case["id"], "employee_ethnic_category", "api")
    assert accesses(person) == [shown, shown]


@pytest.mark.parametrize("who", ["manager", "panel_a", "panel_b"])
def test_managers_and_panel_members_are_never_shown_ethnicity(
    cast: Any, walk: Walk, who: str
) -> None:
    case = walk.convened()
    person = getattr(cast, who)

    shown = ok(Api.as_user(person).case(case["id"]))

    assert "ethnic_category" not in shown["employee"]
    assert shown["employee"]["staff_number"] == walk.employee.staff_number
    assert accesses(person) == []


def test_the_case_an_action_returns_to_hr_counts_as_a_showing(cast: Any, walk: Walk) -> None:
    case = walk.submitted()

    acted = ok(walk.hr.act(case["id"], "triage", route="panel", reason=PANEL_REASON))

    assert acted["employee"]["ethnic_category"] == "N"
    assert accesses(cast.hr) == [(case["id"], "employee_ethnic_category", "api")]


def test_the_case_an_action_returns_to_a_chair_leaves_ethnicity_out(cast: Any, walk: Walk) -> None:
    case = walk.convened()

    decided = ok(walk.chair.act(case["id"], "decide", outcome="mediation", rationale=RATIONALE))

    assert "ethnic_category" not in decided["employee"]
    assert accesses(cast.panel_a) == []


# What each person is offered, at each point of the walk. Absent: may not see it.
# HR's own actions on the employee's voice before the panel decides
# (voice/), and on wellbeing and suspensions while the case is under way
# (wellbeing/, suspensions/), in the engine's order of actions.
VOICE = ["record_employee_told", "issue_account_link", "record_account"]
UNDER_WAY = ["set_wellbeing_contact", "record_checkin", "record_suspension"]

OFFERED: dict[str, dict[str, list[str]]] = {
    "submitted": {
        "manager": ["withdraw"],
        "hr": ["triage", *VOICE, *UNDER_WAY, "withdraw"],
        "director": [],
    },
    "returned": {
        "manager": ["resubmit", "withdraw"],
        "hr": [*VOICE, *UNDER_WAY, "withdraw"],
        "director": [],
    },
    "informal": {
        "manager": ["record_informal_outcome", "withdraw"],
        "hr": ["record_informal_outcome", *VOICE, *UNDER_WAY, "withdraw"],
        "director": [],
    },
    "panel": {
        "manager": ["withdraw"],
        "hr": [*VOICE, "suggest_panel", "convene_panel", *UNDER_WAY, "withdraw"],
        "director": [],
    },
    "just_convened": {
        "manager": ["withdraw"],
        "hr": [*VOICE, *UNDER_WAY, "withdraw"],
        "panel_a": ["declare"],
        "panel_b": ["declare"],
        "director": [],
    },
    "convened": {
        "manager": ["withdraw"],
        "hr": [*VOICE, *UNDER_WAY, "withdraw"],
        "panel_a": ["decide"],
        "panel_b": [],
        "director": [],
    },
    "signoff": {
        "manager": ["withdraw"],
        "hr": [*UNDER_WAY, "withdraw"],
        "panel_a": [],
        "panel_b": [],
        "director": ["signoff"],
    },
    # HR names the investigator of the formal process (formal/).
    "formal": {
        "manager": [],
        "hr": ["name_investigator", *UNDER_WAY],
        "panel_a": [],
        "panel_b": [],
        "director": [],
    },
    "closed": {"manager": [], "hr": [], "director": []},
}


@pytest.mark.parametrize("point", list(OFFERED))
def test_each_person_is_offered_exactly_the_actions_they_may_take_now(
    cast: Any, walk: Walk, point: str
) -> None:
    case = walk.at(point)
    offered = {
        who: ok(Api.as_user(getattr(cast, who)).case(case["id"]))["available_actions"]
        for who in OFFERED[point]
    }
    assert offered == OFFERED[point]


@pytest.mark.parametrize("who", ["outsider", "governance", "other_manager"])
def test_people_who_may_not_see_a_case_get_404_for_it(cast: Any, walk: Walk, who: str) -> None:
    case = walk.convened()
    response = Api.as_user(getattr(cast, who)).case(case["id"])
    assert response.status_code == 404
    assert response.json() == {"detail": "No such case, or you may not see it."}


# --- the path ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["hr", "director"])
def test_hr_and_decision_makers_read_the_path_in_order(cast: Any, walk: Walk, who: str) -> None:
    case = walk.signoff()

    events = ok(Api.as_user(getattr(cast, who)).path(case["id"]))

    assert [(e["action"], e["actor"]["username"], e["to_stage"]) for e in events] == [
        ("submit", cast.manager.username, "submitted"),
        ("triage", cast.hr.username, "panel"),
        ("convene_panel", cast.hr.username, "panel"),
        ("record_account", cast.hr.username, "panel"),  # the employee's own account
        *[
            (action, member.username, "panel")
            for member in cast.panel
            for action in ("declare", "record_view")
        ],
        ("decide", cast.panel_a.username, "signoff"),
    ]
    assert events[1]["reason"] == PANEL_REASON
    assert events[-1]["payload"]["outcome"] == "formal_investigation"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


@pytest.mark.parametrize("who", ["manager", "panel_a", "panel_b"])
def test_people_who_see_the_case_but_not_its_path_get_403(cast: Any, walk: Walk, who: str) -> None:
    case = walk.convened()
    response = Api.as_user(getattr(cast, who)).path(case["id"])
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only HR advisers and decision-makers can see a case's path."
    }


@pytest.mark.parametrize("who", ["outsider", "governance", "other_manager", "panel_d"])
def test_people_who_may_not_see_the_case_get_404_for_its_path(
    cast: Any, walk: Walk, who: str
) -> None:
    case = walk.convened()
    person = make_user("dev.panel", Role.PANEL) if who == "panel_d" else getattr(cast, who)
    response = Api.as_user(person).path(case["id"])
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
