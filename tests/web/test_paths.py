"""Every path of the flow, walked through the web UI by the people who act."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from workflow.models import Stage

from .pages import act, deliberate, page, submit_case

pytestmark = pytest.mark.django_db

NON_FORMAL_OUTCOMES = [
    "informal_action",
    "mediation",
    "other_policy",
    "occupational_health",
    "external_referral",
    "no_further_action",
]


def _stage(case):
    case.refresh_from_db()
    return case.stage


def _to_panel(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    r = act(
        client,
        cast.hr,
        case,
        "triage",
        route="panel",
        reason="Two earlier informal attempts failed; needs the panel.",
    )
    assert r.status_code == 302
    members = [u.pk for u in cast.panel]
    r = act(client, cast.hr, case, "convene_panel", members=members, chair=cast.panel_a.pk)
    assert r.status_code == 302
    deliberate(client, case, cast.panel)
    return case


def test_informal_resolution_closes_the_case(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    assert _stage(case) == Stage.SUBMITTED
    assert act(client, cast.hr, case, "triage", route="informal").status_code == 302
    assert _stage(case) == Stage.INFORMAL
    r = act(
        client,
        cast.manager,
        case,
        "record_informal_outcome",
        resolved="yes",
        actions="Facilitated conversation; agreed handover etiquette.",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, "resolved_informally")
    body = page(client, cast.manager, case).content.decode()
    assert "Resolved informally" in body
    assert "Record informal outcome" in body  # the path lists the action


@pytest.mark.parametrize("outcome", NON_FORMAL_OUTCOMES)
def test_unresolved_informal_goes_to_panel_and_panel_closes(client, cast, employee, outcome):
    case = submit_case(client, cast.manager, employee)
    act(client, cast.hr, case, "triage", route="informal")
    r = act(
        client,
        cast.hr,
        case,
        "record_informal_outcome",
        resolved="no",
        actions="Letter of concern discussed.",
        reason="Behaviour repeated a week later.",
    )
    assert r.status_code == 302
    assert _stage(case) == Stage.PANEL
    act(
        client,
        cast.hr,
        case,
        "convene_panel",
        members=[u.pk for u in cast.panel],
        chair=cast.panel_b.pk,
    )
    deliberate(client, case, cast.panel)
    r = act(
        client,
        cast.panel_b,
        case,
        "decide",
        outcome=outcome,
        rationale="The panel considered the context, the just culture advice and history.",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, outcome)


def test_formal_path_needs_panel_and_signoff(client, cast, employee):
    case = _to_panel(client, cast, employee)
    r = act(
        client,
        cast.panel_a,
        case,
        "decide",
        outcome="formal_investigation",
        rationale="Allegation of serious misconduct that needs a full investigation.",
    )
    assert r.status_code == 302
    assert _stage(case) == Stage.SIGNOFF
    assert (
        act(
            client,
            cast.director,
            case,
            "signoff",
            approve="yes",
            reason="Proportionate to the concern.",
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.stage == Stage.FORMAL
    assert case.formal_commissioned_at is not None
    path = AuditEvent.objects.path().filter(case=case)  # the showings of ethnicity aside
    assert list(path.values_list("action", flat=True)) == [
        "submit",
        "triage",
        "convene_panel",
        "record_account",
        *["declare", "record_view"] * 3,
        "decide",
        "signoff",
    ]


def test_declined_signoff_returns_to_the_panel_chair(client, cast, employee):
    case = _to_panel(client, cast, employee)
    act(
        client,
        cast.panel_a,
        case,
        "decide",
        outcome="formal_investigation",
        rationale="Allegation of serious misconduct that needs a full investigation.",
    )
    r = act(
        client,
        cast.director,
        case,
        "signoff",
        approve="no",
        reason="Mediation has not been tried; explain why formal is the only option.",
    )
    assert r.status_code == 302
    assert _stage(case) == Stage.PANEL
    r = act(
        client,
        cast.panel_a,
        case,
        "decide",
        outcome="mediation",
        rationale="On reflection mediation is proportionate and has not been tried.",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, "mediation")


@pytest.mark.parametrize("policy", ["capability", "sickness_absence", "grievance", "safeguarding"])
def test_redirect_to_another_policy_closes(client, cast, employee, policy):
    case = submit_case(client, cast.manager, employee)
    r = act(
        client,
        cast.hr,
        case,
        "triage",
        route="redirect",
        policy=policy,
        reason="This is a matter for another policy.",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.redirect_policy) == (Stage.CLOSED, "redirected", policy)


def test_return_to_manager_and_resubmit(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    r = act(
        client,
        cast.hr,
        case,
        "triage",
        route="return",
        reason="Please add what informal steps were tried.",
    )
    assert r.status_code == 302
    assert _stage(case) == Stage.SUBMITTED
    # The manager now has the resubmit step in their inbox.
    client.force_login(cast.manager)
    assert case.reference in client.get(reverse("cases:inbox")).content.decode()
    r = act(
        client,
        cast.manager,
        case,
        "resubmit",
        summary="Raised voice at a colleague during handover, twice in one week.",
        informal_steps_tried="Quiet word; team huddle on handovers.",
        note="Added the informal steps tried.",
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
    assert "team huddle" in case.informal_steps_tried
    assert act(client, cast.hr, case, "triage", route="informal").status_code == 302
    assert _stage(case) == Stage.INFORMAL


@pytest.mark.parametrize("who", ["manager", "hr"])
def test_withdraw_before_formal(client, cast, employee, who):
    case = submit_case(client, cast.manager, employee)
    act(client, cast.hr, case, "triage", route="informal")
    r = act(client, getattr(cast, who), case, "withdraw", reason="Concern raised in error.")
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, "withdrawn")
    assert case.process.status == "CANCELED"
