"""The panel through the API: the suggestion, declarations, a conflict and its
replacement, views, the quorum and the reasoned decision; each refusal with
its status code and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from panels.models import PoolMember

from ..workflow.steps import snapshot
from .steps import BASE, RATIONALE, VIEW_COMMENT, Api, Walk, ok

pytestmark = pytest.mark.django_db

CONFLICT = "The employee is my brother-in-law."


def suggestion_url(case_id: int) -> str:
    return f"{BASE}{case_id}/panel-suggestion/"


def refused(status: int, api: Api, case: Any, action: str, **body: Any) -> dict[str, Any]:
    """An action that must be refused with ``status``, leaving every row as it was."""
    before = snapshot()
    response = api.act(case["id"], action, **body)
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert snapshot() == before
    answer: dict[str, Any] = response.json()
    return answer


# --- the suggestion ---------------------------------------------------------------------


def test_hr_gets_a_suggested_panel_with_a_verdict_for_each_pool_member(
    cast: Any, walk: Walk
) -> None:
    case = walk.panel()

    suggestion = ok(walk.hr.get(suggestion_url(case["id"])))

    assert suggestion["found"] is True
    assert suggestion["problems"] == []
    assert set(suggestion["members"]) == {m.pk for m in cast.panel}
    assert suggestion["chair"] == suggestion["members"][0]
    assert {v["user_id"] for v in suggestion["pool"]} == {m.pk for m in cast.panel}
    assert all(v["reasons"] for v in suggestion["pool"])
    # Asking changes nothing: the case version stays, so a convene with it still works.
    assert ok(walk.hr.case(case["id"]))["version"] == case["version"]
    body = {"members": suggestion["members"], "chair": suggestion["chair"]}
    ok(walk.hr.act(case["id"], "convene_panel", expected_version=case["version"], **body))


def test_with_no_valid_panel_the_suggestion_names_the_rule(cast: Any, walk: Walk) -> None:
    PoolMember.objects.filter(user=cast.panel_b).update(independent_trained_until=None)
    case = walk.panel()

    suggestion = ok(walk.hr.get(suggestion_url(case["id"])))

    assert suggestion["found"] is False
    assert suggestion["members"] == []
    assert suggestion["chair"] is None
    assert suggestion["problems"][0].startswith("Independent member:")


@pytest.mark.parametrize(
    ("who", "point", "status"),
    [
        ("manager", "panel", 403),
        ("director", "panel", 403),
        ("outsider", "panel", 404),
        ("governance", "panel", 404),
        ("hr", "informal", 409),
        ("hr", "convened", 409),
    ],
)
def test_the_suggestion_is_refused_to_the_wrong_person_or_at_the_wrong_time(
    cast: Any, walk: Walk, who: str, point: str, status: int
) -> None:
    case = walk.at(point)
    before = snapshot()
    response = Api.as_user(getattr(cast, who)).get(suggestion_url(case["id"]))
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
    assert snapshot() == before


# --- declarations -------------------------------------------------------------------------


def test_a_member_yet_to_declare_is_shown_the_people_but_not_the_case(
    cast: Any, walk: Walk
) -> None:
    case = walk.just_convened()

    seen = ok(Api.as_user(cast.panel_b).case(case["id"]))

    assert seen["restricted"] is True
    assert seen["available_actions"] == ["declare"]
    assert seen["employee_name"] == walk.employee.name
    assert seen["referring_manager"]["username"] == cast.manager.username
    for hidden in ("employee", "concern", "just_culture", "triage", "informal"):
        assert seen[hidden] is None, hidden
    assert seen["decisions"] == []
    assert seen["panels"][0]["views"] == []

    seen = ok(Api.as_user(cast.panel_b).act(case["id"], "declare", no_conflict=True))

    assert seen["restricted"] is False
    assert seen["available_actions"] == ["record_view"]
    assert seen["concern"]["summary"]
    assert seen["employee"]["staff_number"]
    seat = next(s for s in seen["panels"][0]["seats"] if s["user"]["id"] == cast.panel_b.pk)
    assert seat["declared"] == "no_conflict"
    assert seat["declared_at"]


def test_declaration_refusals(cast: Any, walk: Walk) -> None:
    case = walk.just_convened()
    member = Api.as_user(cast.panel_b)

    body = refused(400, member, case, "declare", no_conflict=False)
    assert list(body["errors"]) == ["reason"]
    assert list(refused(400, member, case, "declare", reason=CONFLICT)["errors"]) == ["no_conflict"]
    refused(403, walk.hr, case, "declare", no_conflict=True)
    refused(404, Api.as_user(cast.outsider), case, "declare", no_conflict=True)
    ok(member.act(case["id"], "declare", no_conflict=True))
    body = refused(409, member, case, "declare", no_conflict=True)
    assert body["detail"] == "You have already declared on this case."


def test_a_declared_conflict_stands_the_member_down_and_hr_replaces_them(
    cast: Any, extras: Any, walk: Walk
) -> None:
    case = walk.just_convened()

    case = ok(
        Api.as_user(cast.panel_c).act(case["id"], "declare", no_conflict=False, reason=CONFLICT)
    )

    assert case["restricted"] is True
    assert case["available_actions"] == []
    panel = ok(walk.hr.case(case["id"]))["panels"][0]
    assert panel["waiting_for"] == "replacement"
    [seat] = [s for s in panel["seats"] if s["user"]["id"] == cast.panel_c.pk]
    assert (seat["sitting"], seat["declared"], seat["conflict_reason"]) == (
        False,
        "conflict",
        CONFLICT,
    )
    # Only HR reads the nature of the conflict.
    for other in (cast.panel_a, cast.manager):
        [seen] = [
            s
            for s in ok(Api.as_user(other).case(case["id"]))["panels"][0]["seats"]
            if s["user"]["id"] == cast.panel_c.pk
        ]
        assert seen["conflict_reason"] == ""
    refused(
        403,
        Api.as_user(cast.panel_c),
        case,
        "record_view",
        outcome="mediation",
        comment=VIEW_COMMENT,
    )

    # HR is offered the replacement, suggested who, and the rules apply to it.
    suggestion = ok(walk.hr.get(suggestion_url(case["id"])))
    new = [i for i in suggestion["members"] if i not in (cast.panel_a.pk, cast.panel_b.pk)]
    assert len(new) == 1
    body = refused(400, walk.hr, case, "replace_members", members=[cast.panel_c.pk])
    assert body["errors"]["members"] == [f"Already on this panel: user ids [{cast.panel_c.pk}]."]
    case = ok(walk.hr.act(case["id"], "replace_members", members=new))

    panel = case["panels"][0]
    assert panel["waiting_for"] == "declarations"
    [filled] = [s for s in panel["seats"] if s["user"]["id"] == new[0]]
    assert filled["replaces"]["id"] == cast.panel_c.pk
    assert filled["sitting"]
    refused(409, walk.hr, case, "replace_members", members=[extras.hr_panel.pk])


# --- views, the quorum and the decision ---------------------------------------------------


def test_views_then_the_reasoned_decision(cast: Any, walk: Walk) -> None:
    case = walk.just_convened()
    member = Api.as_user(cast.panel_b)
    refused(409, member, case, "record_view", outcome="mediation", comment=VIEW_COMMENT)
    ok(member.act(case["id"], "declare", no_conflict=True))
    body = refused(400, member, case, "record_view", outcome="sack", comment="")
    assert set(body["errors"]) == {"outcome", "comment"}
    ok(member.act(case["id"], "record_view", outcome="mediation", comment=VIEW_COMMENT))
    refused(409, member, case, "record_view", outcome="mediation", comment=VIEW_COMMENT)

    body = refused(409, walk.chair, case, "decide", outcome="mediation", rationale=RATIONALE)
    assert "Declare" in body["detail"]
    case = walk.deliberate(ok(walk.hr.case(case["id"])))

    decided = ok(
        walk.chair.act(
            case["id"],
            "decide",
            outcome="informal_action",
            rationale=RATIONALE,
            agreed_actions="A letter of concern.",
            just_culture={**vars_of(case), "q5a": True},
        )
    )

    [decision] = decided["decisions"]
    assert decision["agreed_actions"] == "A letter of concern."
    assert (decision["just_culture_outcome"], decision["guide_alignment"]) == ("F", "consistent")
    assert decision["guide_reviewed"] is True
    views = ok(walk.hr.case(case["id"]))["panels"][0]["views"]
    assert [(v["member"]["id"], v["outcome"]) for v in views] == [
        (cast.panel_b.pk, "mediation"),
        (cast.panel_a.pk, "informal_action"),
        (cast.panel_c.pk, "informal_action"),
    ]
    # The referring manager sees the decision, never the members' views.
    assert ok(walk.manager.case(case["id"]))["panels"][0]["views"] == []


def vars_of(case: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = case["just_culture"]["answers"]
    return answers


def test_the_quorum_refusal_says_how_many_views_are_missing(cast: Any, walk: Walk) -> None:
    case = walk.just_convened()
    for person in (walk.chair, Api.as_user(cast.panel_b), Api.as_user(cast.panel_c)):
        ok(person.act(case["id"], "declare", no_conflict=True))
    ok(walk.chair.act(case["id"], "record_view", outcome="mediation", comment=VIEW_COMMENT))

    body = refused(409, walk.chair, case, "decide", outcome="mediation", rationale=RATIONALE)

    assert body["detail"] == (
        "The panel needs 3 members' views before deciding; 1 recorded so far."
    )


# --- the whole walk ----------------------------------------------------------------------


def test_a_token_client_walks_convening_a_conflict_views_decision_and_signoff(
    cast: Any, extras: Any, employee: Any
) -> None:
    walk = Walk(cast, employee, {"hr": Api.with_token(cast.hr.username)})
    walk.extra_members.append(extras.panel_d)
    case = walk.panel()
    suggestion = ok(walk.hr.get(suggestion_url(case["id"])))
    case = ok(
        walk.hr.act(
            case["id"], "convene_panel", members=suggestion["members"], chair=suggestion["chair"]
        )
    )
    chair = next(u for u in cast.panel if u.pk == suggestion["chair"])
    leaving = next(u for u in cast.panel if u.pk != chair.pk)
    ok(Api.as_user(leaving).act(case["id"], "declare", no_conflict=False, reason=CONFLICT))
    suggestion = ok(walk.hr.get(suggestion_url(case["id"])))
    new = [i for i in suggestion["members"] if i not in {u.pk for u in cast.panel}]
    case = ok(walk.hr.act(case["id"], "replace_members", members=new))
    case = walk.deliberate(case, view="formal_investigation")
    case = ok(
        Api.as_user(chair).act(
            case["id"], "decide", outcome="formal_investigation", rationale=RATIONALE
        )
    )
    assert case["stage"] == "signoff"
    refused(
        403,
        Api.as_user(leaving),
        case,
        "signoff",
        approve=True,
        reason="Proportionate to the concern.",
    )
    case = ok(
        walk.director.act(
            case["id"], "signoff", approve=True, reason="Proportionate to the concern."
        )
    )

    assert (case["stage"], case["outcome"]) == ("formal", "formal_investigation")
    actions = [e["action"] for e in ok(walk.hr.path(case["id"]))]
    assert actions[2:4] == ["suggest_panel", "convene_panel"]
    assert actions[-2:] == ["decide", "signoff"]
    assert actions.count("declare") == 4
    assert actions.count("record_view") == 3
    assert "replace_members" in actions
    assert "suggest_panel" in actions


def test_the_list_withholds_department_and_concern_from_a_member_yet_to_declare(
    cast: Any, walk: Walk
) -> None:
    case = walk.just_convened()
    member = Api.as_user(cast.panel_b)
    unit = walk.employee.org_unit.code

    [row] = ok(member.get(BASE))["results"]
    assert row["reference"] == case["reference"]
    assert row["org_unit"] is None
    assert row["concern_category"] is None
    assert ok(member.get(BASE, {"org_unit": unit}))["results"] == []

    ok(member.act(case["id"], "declare", no_conflict=True))
    [row] = ok(member.get(BASE, {"org_unit": unit}))["results"]
    assert row["org_unit"]["code"] == unit
    assert row["concern_category"] == case["concern"]["category"]
