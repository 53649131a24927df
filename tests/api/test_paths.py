"""Every path of the referral flow, driven end to end through the JSON API alone.

Each test reads as the story of one case: who acted, what the API answered
them (stage, outcome, the actions they may take next), and the path HR sees.
"""

from __future__ import annotations

from typing import Any

import pytest

from panels.models import PANEL_OUTCOMES
from workflow.models import Outcome, RedirectPolicy

from .steps import (
    DECLINE_REASON,
    INFORMAL_ACTIONS,
    OPEN_POINTS,
    PANEL_REASON,
    RATIONALE,
    REDIRECT_REASON,
    RESUBMIT_NOTE,
    RETURN_REASON,
    UNRESOLVED_REASON,
    WITHDRAW_REASON,
    Api,
    Walk,
    ok,
)

pytestmark = pytest.mark.django_db

NON_FORMAL_OUTCOMES = [o.value for o in PANEL_OUTCOMES if o != Outcome.FORMAL_INVESTIGATION]


# HR's actions beside the flow: the employee's voice before the decision, and
# wellbeing and suspensions while the case is under way. tests/api/test_detail.py
# holds exactly who is offered them where; these walks follow the flow's own.
BESIDE_THE_FLOW = frozenset(
    {
        "record_employee_told",
        "issue_account_link",
        "record_account",
        "set_wellbeing_contact",
        "record_checkin",
        "record_suspension",
    }
)


def flow(actions: list[str]) -> list[str]:
    """The flow's actions among ``actions``, in their order."""
    return [a for a in actions if a not in BESIDE_THE_FLOW]


def path_of(case: Any, walk: Walk) -> list[tuple[str, str, str]]:
    """The case's audit trail as HR reads it: (action, from, to), oldest first."""
    events = ok(walk.hr.path(case["id"]))
    return [(e["action"], e["from_stage"], e["to_stage"]) for e in events]


def test_a_token_client_walks_a_case_to_formal_investigation(cast: Any, employee: Any) -> None:
    people = {
        "manager": Api.with_token(cast.manager.username),
        "hr": Api.with_token(cast.hr.username),
        "chair": Api.with_token(cast.panel_a.username),
        "director": Api.with_token(cast.director.username),
    }
    walk = Walk(cast, employee, people)

    case = walk.submitted()
    assert (case["stage"], case["outcome"], case["version"]) == ("submitted", "", 1)
    assert flow(case["available_actions"]) == ["withdraw"]
    assert flow(ok(walk.hr.case(case["id"]))["available_actions"]) == ["triage", "withdraw"]

    case = ok(walk.hr.act(case["id"], "triage", route="panel", reason=PANEL_REASON))
    assert (case["stage"], case["version"]) == ("panel", 2)
    assert case["triage"] == {"route": "panel", "reason": PANEL_REASON, "policy": ""}
    assert flow(case["available_actions"]) == ["suggest_panel", "convene_panel", "withdraw"]

    case = walk.convene(case)
    assert case["stage"] == "panel"
    assert flow(case["available_actions"]) == ["withdraw"]
    [panel] = case["panels"]
    assert panel["chair"]["id"] == cast.panel_a.pk
    assert {m["id"] for m in panel["members"]} == {m.pk for m in cast.panel}
    assert flow(ok(walk.chair.case(case["id"]))["available_actions"]) == ["declare"]
    case = walk.deliberate(case)
    assert flow(ok(walk.chair.case(case["id"]))["available_actions"]) == ["decide"]

    case = walk.decide(case, "formal_investigation")
    assert (case["stage"], case["outcome"]) == ("signoff", "formal_investigation")
    assert flow(case["available_actions"]) == []
    assert [d["rationale"] for d in case["decisions"]] == [RATIONALE]
    assert flow(ok(walk.director.case(case["id"]))["available_actions"]) == ["signoff"]

    case = ok(
        walk.director.act(
            case["id"], "signoff", approve=True, reason="Proportionate to the concern."
        )
    )
    assert (case["stage"], case["outcome"]) == ("formal", "formal_investigation")
    assert case["formal_commissioned_at"] is not None
    assert flow(case["available_actions"]) == []
    assert [s["approved"] for s in case["signoffs"]] == [True]
    assert case["version"] == 12  # with HR's recording the employee's account
    assert path_of(case, walk) == [
        ("submit", "", "submitted"),
        ("triage", "submitted", "panel"),
        ("convene_panel", "panel", "panel"),
        ("record_account", "panel", "panel"),
        *[("declare", "panel", "panel"), ("record_view", "panel", "panel")] * 3,
        ("decide", "panel", "signoff"),
        ("signoff", "signoff", "formal"),
    ]


def test_informal_resolution_that_works_closes_the_case(walk: Walk) -> None:
    case = walk.submitted()

    case = ok(walk.hr.act(case["id"], "triage", route="informal"))
    assert (case["stage"], case["outcome"]) == ("informal", "")
    assert flow(case["available_actions"]) == ["record_informal_outcome", "withdraw"]
    assert flow(ok(walk.manager.case(case["id"]))["available_actions"]) == [
        "record_informal_outcome",
        "withdraw",
    ]

    case = ok(
        walk.manager.act(
            case["id"], "record_informal_outcome", resolved=True, actions=INFORMAL_ACTIONS
        )
    )
    assert (case["stage"], case["outcome"]) == ("closed", "resolved_informally")
    assert case["informal"] == {"resolved": True, "actions": INFORMAL_ACTIONS, "reason": ""}
    assert case["closed_at"] is not None
    assert flow(case["available_actions"]) == []
    assert path_of(case, walk)[-1] == ("record_informal_outcome", "informal", "closed")


@pytest.mark.parametrize("outcome", NON_FORMAL_OUTCOMES)
def test_unresolved_informal_goes_to_a_panel_that_closes_with_its_outcome(
    walk: Walk, outcome: str
) -> None:
    case = walk.informal()

    case = ok(
        walk.hr.act(
            case["id"],
            "record_informal_outcome",
            resolved=False,
            actions=INFORMAL_ACTIONS,
            reason=UNRESOLVED_REASON,
        )
    )
    assert (case["stage"], case["outcome"]) == ("panel", "")
    assert case["informal"]["resolved"] is False
    assert flow(case["available_actions"]) == ["suggest_panel", "convene_panel", "withdraw"]

    case = walk.deliberate(walk.convene(case))
    case = walk.decide(case, outcome)

    assert (case["stage"], case["outcome"]) == ("closed", outcome)
    assert case["closed_at"] is not None
    assert case["formal_commissioned_at"] is None
    assert flow(case["available_actions"]) == []
    assert flow(ok(walk.hr.case(case["id"]))["available_actions"]) == []
    assert path_of(case, walk) == [
        ("submit", "", "submitted"),
        ("triage", "submitted", "informal"),
        ("record_informal_outcome", "informal", "panel"),
        ("convene_panel", "panel", "panel"),
        ("record_account", "panel", "panel"),
        *[("declare", "panel", "panel"), ("record_view", "panel", "panel")] * 3,
        ("decide", "panel", "closed"),
    ]


def test_a_declined_signoff_sends_the_case_back_to_the_chair(walk: Walk) -> None:
    case = walk.signoff()

    case = ok(walk.director.act(case["id"], "signoff", approve=False, reason=DECLINE_REASON))
    assert (case["stage"], case["outcome"]) == ("panel", "")
    assert [(s["approved"], s["reason"]) for s in case["signoffs"]] == [(False, DECLINE_REASON)]
    assert flow(case["available_actions"]) == []
    # The same panel reconsiders: each member may record a fresh view first.
    assert flow(ok(walk.chair.case(case["id"]))["available_actions"]) == ["record_view", "decide"]

    case = walk.decide(case, "mediation")
    assert (case["stage"], case["outcome"]) == ("closed", "mediation")
    assert [d["outcome"] for d in case["decisions"]] == ["formal_investigation", "mediation"]
    assert [e[0] for e in path_of(case, walk)][-3:] == ["decide", "signoff", "decide"]


def test_a_chair_may_propose_formal_again_after_a_decline_and_be_approved(walk: Walk) -> None:
    case = walk.signoff()
    ok(walk.director.act(case["id"], "signoff", approve=False, reason=DECLINE_REASON))

    case = walk.decide(case, "formal_investigation")
    assert case["stage"] == "signoff"
    case = ok(
        walk.director.act(
            case["id"], "signoff", approve=True, reason="Proportionate to the concern."
        )
    )

    assert (case["stage"], case["outcome"]) == ("formal", "formal_investigation")
    assert [s["approved"] for s in case["signoffs"]] == [False, True]


@pytest.mark.parametrize("policy", RedirectPolicy.values)
def test_triage_can_redirect_to_each_other_policy(walk: Walk, policy: str) -> None:
    case = walk.submitted()

    case = ok(
        walk.hr.act(case["id"], "triage", route="redirect", reason=REDIRECT_REASON, policy=policy)
    )

    assert (case["stage"], case["outcome"]) == ("closed", "redirected")
    assert case["triage"] == {"route": "redirect", "reason": REDIRECT_REASON, "policy": policy}
    assert flow(case["available_actions"]) == []
    assert flow(ok(walk.manager.case(case["id"]))["available_actions"]) == []


def test_a_returned_referral_is_resubmitted_and_triaged_again(walk: Walk) -> None:
    case = walk.submitted()

    case = ok(walk.hr.act(case["id"], "triage", route="return", reason=RETURN_REASON))
    assert (case["stage"], case["outcome"]) == ("submitted", "")
    assert flow(case["available_actions"]) == ["withdraw"]
    assert flow(ok(walk.manager.case(case["id"]))["available_actions"]) == ["resubmit", "withdraw"]

    summary = "Raised voice at a colleague during handover, twice in one week."
    case = ok(
        walk.manager.act(
            case["id"],
            "resubmit",
            note=RESUBMIT_NOTE,
            summary=summary,
            informal_steps_tried="Two quiet words.",
        )
    )
    assert case["stage"] == "submitted"
    assert case["concern"]["summary"] == summary
    assert case["concern"]["informal_steps_tried"] == "Two quiet words."
    assert flow(case["available_actions"]) == ["withdraw"]
    assert flow(ok(walk.hr.case(case["id"]))["available_actions"]) == ["triage", "withdraw"]

    case = ok(walk.hr.act(case["id"], "triage", route="informal"))
    assert case["stage"] == "informal"
    assert path_of(case, walk) == [
        ("submit", "", "submitted"),
        ("triage", "submitted", "submitted"),
        ("resubmit", "submitted", "submitted"),
        ("triage", "submitted", "informal"),
    ]


@pytest.mark.parametrize("who", ["manager", "hr"])
@pytest.mark.parametrize("point", OPEN_POINTS)
def test_an_open_case_can_be_withdrawn_by_the_manager_or_hr(
    walk: Walk, point: str, who: str
) -> None:
    case = walk.at(point)
    stage = case["stage"]
    assert "withdraw" in ok(getattr(walk, who).case(case["id"]))["available_actions"]

    case = ok(getattr(walk, who).act(case["id"], "withdraw", reason=WITHDRAW_REASON))

    assert (case["stage"], case["outcome"]) == ("closed", "withdrawn")
    assert case["closed_at"] is not None
    assert flow(case["available_actions"]) == []
    assert path_of(case, walk)[-1] == ("withdraw", stage, "closed")
    assert ok(walk.hr.path(case["id"]))[-1]["reason"] == WITHDRAW_REASON
