import pytest

from panels.services import panel_convene, panel_decision_record
from workflow.models import Stage
from workflow.services import case_signoff, case_triage, referral_submit

from ..factories import referral_kwargs
from .steps import deliberate


@pytest.mark.django_db
def test_a_referral_reaches_formal_only_through_panel_and_signoff(cast, employee):
    case = referral_submit(actor=cast.manager, **referral_kwargs(employee))
    assert case.stage == Stage.SUBMITTED
    case = case_triage(
        case_id=case.pk,
        actor=cast.hr,
        route="panel",
        reason="Pattern of similar concerns; informal already tried.",
    )
    assert case.stage == Stage.PANEL
    case = panel_convene(
        case_id=case.pk, actor=cast.hr, members=[u.pk for u in cast.panel], chair=cast.panel_a.pk
    )
    assert case.stage == Stage.PANEL
    # HR adds the employee's account; each member declares no conflict and gives a view.
    case = deliberate(case)
    assert case.stage == Stage.PANEL
    case = panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="formal_investigation",
        rationale="Serious allegation that needs a full investigation.",
    )
    assert case.stage == Stage.SIGNOFF
    case = case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )
    assert case.stage == Stage.FORMAL
    assert case.formal_commissioned_at is not None
    assert list(case.events.values_list("action", flat=True)) == [
        "submit",
        "triage",
        "convene_panel",
        "record_account",
        *["declare", "record_view"] * 3,
        "decide",
        "signoff",
    ]
