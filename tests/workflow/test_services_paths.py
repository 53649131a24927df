"""Every path of the issue's table, walked end to end through the services.

Each walk checks where the case is (stage, outcome, timestamps, version),
what the audit trail says happened (action, stages, actor, reason) and what
viewflow says (the process status and the tasks still open).
"""

from __future__ import annotations

from typing import Any

import pytest
from viewflow.workflow.status import PROCESS

from panels.models import PANEL_OUTCOMES, PanelDecision
from panels.services import panel_convene, panel_decision_record
from workflow.engine import stage_from_flow
from workflow.models import Case, Outcome, SignOff, Stage
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_resubmit,
)

from .steps import (
    DECLINE_REASON,
    INFORMAL_ACTIONS,
    PANEL_REASON,
    RATIONALE,
    RESUBMIT_NOTE,
    RETURN_REASON,
    UNRESOLVED_REASON,
    Event,
    Story,
    deliberate,
    deliberation,
    events,
    fresh,
    nodes,
    process_status,
    task_owner,
)

pytestmark = pytest.mark.django_db

NON_FORMAL = [o.value for o in PANEL_OUTCOMES if o != Outcome.FORMAL_INVESTIGATION]
POLICIES = ["capability", "sickness_absence", "grievance", "safeguarding"]


def assert_open(case: Case, stage: str, open_nodes: list[str], version: int) -> None:
    case = fresh(case)
    assert case.stage == stage == stage_from_flow(case)
    assert case.version == version
    assert case.closed_at is None
    assert case.formal_commissioned_at is None
    assert process_status(case) == PROCESS.NEW
    assert nodes(case) == open_nodes


def assert_closed(case: Case, outcome: str, *, cancelled: bool = False) -> None:
    case = fresh(case)
    assert case.stage == Stage.CLOSED == stage_from_flow(case)
    assert case.outcome == outcome
    assert case.closed_at is not None
    assert case.closed_at == case.updated_at
    assert case.formal_commissioned_at is None
    assert process_status(case) == (PROCESS.CANCELED if cancelled else PROCESS.DONE)
    assert nodes(case) == []


def test_triage_to_informal_then_resolved_closes_the_case(cast: Any, story: Story) -> None:
    case = story.submitted()
    assert_open(case, Stage.SUBMITTED, ["triage"], 1)
    case_triage(case_id=case.pk, actor=cast.hr, route="informal")
    assert_open(case, Stage.INFORMAL, ["informal"], 2)
    assert task_owner(case, "informal") == cast.manager

    case_record_informal_outcome(
        case_id=case.pk, actor=cast.manager, resolved=True, actions=INFORMAL_ACTIONS
    )

    assert_closed(case, Outcome.RESOLVED_INFORMALLY)
    case = fresh(case)
    assert case.version == 3
    assert case.informal_resolved is True
    assert case.informal_actions == INFORMAL_ACTIONS
    assert events(case) == [
        Event("submit", "", "submitted", cast.manager, ""),
        Event("triage", "submitted", "informal", cast.hr, ""),
        Event("record_informal_outcome", "informal", "closed", cast.manager, ""),
    ]


@pytest.mark.parametrize("outcome", NON_FORMAL)
def test_unresolved_informally_then_panel_closes_with_its_outcome(
    cast: Any, story: Story, outcome: str
) -> None:
    case = story.informal()
    case_record_informal_outcome(
        case_id=case.pk,
        actor=cast.manager,
        resolved=False,
        actions=INFORMAL_ACTIONS,
        reason=UNRESOLVED_REASON,
    )
    assert_open(case, Stage.PANEL, ["convene"], 3)
    assert fresh(case).outcome == ""

    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[u.pk for u in cast.panel], chair=cast.panel_b.pk
    )
    assert_open(case, Stage.PANEL, ["decide"], 4)
    assert task_owner(case, "decide") == cast.panel_b
    deliberate(case)
    # The employee's account, declarations and views move no step.
    assert_open(case, Stage.PANEL, ["decide"], 11)

    panel_decision_record(case_id=case.pk, actor=cast.panel_b, outcome=outcome, rationale=RATIONALE)

    assert_closed(case, outcome)
    decision = PanelDecision.objects.get(case=case)
    assert (decision.outcome, decision.decided_by, decision.rationale) == (
        outcome,
        cast.panel_b,
        RATIONALE,
    )
    assert not SignOff.objects.filter(case=case).exists()
    assert events(case) == [
        Event("submit", "", "submitted", cast.manager, ""),
        Event("triage", "submitted", "informal", cast.hr, ""),
        Event("record_informal_outcome", "informal", "panel", cast.manager, UNRESOLVED_REASON),
        Event("convene_panel", "panel", "panel", cast.hr, ""),
        *deliberation(cast.panel, cast.hr),
        Event("decide", "panel", "closed", cast.panel_b, RATIONALE),
    ]


def test_hr_records_the_informal_outcome_on_the_task_the_manager_holds(
    cast: Any, story: Story
) -> None:
    case = story.informal()
    assert task_owner(case, "informal") == cast.manager

    case_record_informal_outcome(
        case_id=case.pk,
        actor=cast.hr,
        resolved=False,
        actions=INFORMAL_ACTIONS,
        reason=UNRESOLVED_REASON,
    )

    assert_open(case, Stage.PANEL, ["convene"], 3)
    # The task names who really completed it, as does the audit trail.
    assert task_owner(case, "informal") == cast.hr
    assert events(case)[-1] == Event(
        "record_informal_outcome", "informal", "panel", cast.hr, UNRESOLVED_REASON
    )


def test_hr_records_a_resolved_informal_outcome(cast: Any, story: Story) -> None:
    case = story.informal()
    case_record_informal_outcome(
        case_id=case.pk, actor=cast.hr, resolved=True, actions=INFORMAL_ACTIONS
    )
    assert_closed(case, Outcome.RESOLVED_INFORMALLY)
    assert events(case)[-1] == Event("record_informal_outcome", "informal", "closed", cast.hr, "")


def test_triage_straight_to_panel_then_a_non_formal_outcome(cast: Any, story: Story) -> None:
    case = story.submitted()
    case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON)
    assert_open(case, Stage.PANEL, ["convene"], 2)
    assert fresh(case).triage_reason == PANEL_REASON

    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[u.pk for u in cast.panel], chair=cast.panel_a.pk
    )
    deliberate(case)
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    )

    assert_closed(case, Outcome.MEDIATION)
    assert [(e.action, e.from_stage, e.to_stage, e.reason) for e in events(case)] == [
        ("submit", "", "submitted", ""),
        ("triage", "submitted", "panel", PANEL_REASON),
        ("convene_panel", "panel", "panel", ""),
        *[(e.action, "panel", "panel", "") for e in deliberation(cast.panel)],
        ("decide", "panel", "closed", RATIONALE),
    ]


@pytest.mark.parametrize("policy", POLICIES)
def test_triage_redirects_to_another_policy(cast: Any, story: Story, policy: str) -> None:
    case = story.submitted()
    reason = f"This belongs under the {policy} policy."

    case_triage(case_id=case.pk, actor=cast.hr, route="redirect", reason=reason, policy=policy)

    assert_closed(case, Outcome.REDIRECTED)
    case = fresh(case)
    assert (case.redirect_policy, case.triage_route, case.version) == (policy, "redirect", 2)
    assert events(case)[-1] == Event("triage", "submitted", "closed", cast.hr, reason)


def test_return_to_manager_then_resubmit_then_triage_again(cast: Any, story: Story) -> None:
    case = story.submitted()
    case_triage(case_id=case.pk, actor=cast.hr, route="return", reason=RETURN_REASON)
    assert_open(case, Stage.SUBMITTED, ["resubmit"], 2)
    assert task_owner(case, "resubmit") == cast.manager

    new_summary = "Raised voice at a colleague twice during handover, on 3 and 5 May."
    referral_resubmit(
        case_id=case.pk,
        actor=cast.manager,
        note=RESUBMIT_NOTE,
        summary=new_summary,
        informal_steps_tried="  Two quiet words.  ",
    )
    assert_open(case, Stage.SUBMITTED, ["triage"], 3)
    case = fresh(case)
    assert (case.summary, case.informal_steps_tried, case.triage_route) == (
        new_summary,
        "Two quiet words.",
        "",
    )

    # Returned a second time, then routed to informal resolution.
    case_triage(case_id=case.pk, actor=cast.hr, route="return", reason=RETURN_REASON)
    referral_resubmit(case_id=case.pk, actor=cast.manager, note=RESUBMIT_NOTE)
    case_triage(case_id=case.pk, actor=cast.hr, route="informal")

    assert_open(case, Stage.INFORMAL, ["informal"], 6)
    assert events(case) == [
        Event("submit", "", "submitted", cast.manager, ""),
        Event("triage", "submitted", "submitted", cast.hr, RETURN_REASON),
        Event("resubmit", "submitted", "submitted", cast.manager, RESUBMIT_NOTE),
        Event("triage", "submitted", "submitted", cast.hr, RETURN_REASON),
        Event("resubmit", "submitted", "submitted", cast.manager, RESUBMIT_NOTE),
        Event("triage", "submitted", "informal", cast.hr, ""),
    ]


def test_formal_investigation_needs_the_panel_and_an_approving_signoff(
    cast: Any, story: Story
) -> None:
    case = story.convened()
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="formal_investigation", rationale=RATIONALE
    )
    assert_open(case, Stage.SIGNOFF, ["signoff"], 11)
    assert fresh(case).outcome == Outcome.FORMAL_INVESTIGATION

    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )

    case = fresh(case)
    assert case.stage == Stage.FORMAL == stage_from_flow(case)
    assert case.outcome == Outcome.FORMAL_INVESTIGATION
    assert case.formal_commissioned_at is not None
    assert case.formal_commissioned_at == case.updated_at
    assert case.closed_at is None
    assert process_status(case) == PROCESS.DONE
    assert nodes(case) == []
    signoff = SignOff.objects.get(case=case)
    assert (signoff.approved, signoff.signed_by, signoff.decision) == (
        True,
        cast.director,
        PanelDecision.objects.get(case=case),
    )
    assert events(case) == [
        Event("submit", "", "submitted", cast.manager, ""),
        Event("triage", "submitted", "panel", cast.hr, PANEL_REASON),
        Event("convene_panel", "panel", "panel", cast.hr, ""),
        *deliberation(cast.panel, cast.hr),
        Event("decide", "panel", "signoff", cast.panel_a, RATIONALE),
        Event("signoff", "signoff", "formal", cast.director, "Proportionate to the concern."),
    ]


def test_formal_after_informal_resolution_failed(cast: Any, story: Story) -> None:
    case = story.informal()
    case_record_informal_outcome(
        case_id=case.pk,
        actor=cast.manager,
        resolved=False,
        actions=INFORMAL_ACTIONS,
        reason=UNRESOLVED_REASON,
    )
    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[u.pk for u in cast.panel], chair=cast.panel_c.pk
    )
    deliberate(case)
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_c, outcome="formal_investigation", rationale=RATIONALE
    )
    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )

    case = fresh(case)
    assert (case.stage, case.version) == (Stage.FORMAL, 13)
    assert [(e.action, e.to_stage) for e in events(case)] == [
        ("submit", "submitted"),
        ("triage", "informal"),
        ("record_informal_outcome", "panel"),
        ("convene_panel", "panel"),
        *[(e.action, "panel") for e in deliberation(cast.panel)],
        ("decide", "signoff"),
        ("signoff", "formal"),
    ]


def test_declined_signoff_goes_back_to_the_same_chair_who_closes_the_case(
    cast: Any, story: Story
) -> None:
    case = story.signoff()

    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)

    assert_open(case, Stage.PANEL, ["decide"], 12)
    assert task_owner(case, "decide") == cast.panel_a
    assert fresh(case).outcome == ""
    declined = SignOff.objects.get(case=case)
    assert (declined.approved, declined.reason, declined.signed_by) == (
        False,
        DECLINE_REASON,
        cast.director,
    )

    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="no_further_action", rationale=RATIONALE
    )

    assert_closed(case, Outcome.NO_FURTHER_ACTION)
    assert list(PanelDecision.objects.filter(case=case).values_list("outcome", flat=True)) == [
        "formal_investigation",
        "no_further_action",
    ]
    assert events(case)[-2:] == [
        Event("signoff", "signoff", "panel", cast.director, DECLINE_REASON),
        Event("decide", "panel", "closed", cast.panel_a, RATIONALE),
    ]


def test_declined_then_proposed_again_then_approved(cast: Any, story: Story) -> None:
    case = story.signoff()
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)
    panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="formal_investigation",
        rationale=RATIONALE + " Workload evidence considered.",
    )
    assert_open(case, Stage.SIGNOFF, ["signoff"], 13)

    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )

    case = fresh(case)
    assert case.stage == Stage.FORMAL
    assert case.formal_commissioned_at is not None
    first, second = PanelDecision.objects.filter(case=case).order_by("decided_at", "id")
    # The approval is of the newer proposal; the refusal stays on the older one.
    assert list(SignOff.objects.filter(case=case).values_list("decision_id", "approved")) == [
        (first.pk, False),
        (second.pk, True),
    ]
    assert [(e.action, e.from_stage, e.to_stage) for e in events(case)[10:]] == [
        ("decide", "panel", "signoff"),
        ("signoff", "signoff", "panel"),
        ("decide", "panel", "signoff"),
        ("signoff", "signoff", "formal"),
    ]
