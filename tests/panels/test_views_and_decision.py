"""Members' views, the quorum, the chair's reasoned decision, and reconsidering.

Each member who declared no conflict records a view (an outcome and a
comment); the chair decides only once the quorum of views is in, with a
written rationale and any agreed actions, and the decision keeps how it
relates to the just culture guide's advice. Views are never changed, so a
dissent stays on record; after a declined sign-off the same panel decides
again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction

from core.errors import Conflict, NotAllowed
from panels.models import DecisionGuideAnswers, GuideAlignment, PanelDecision, PanelView
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_members_replace,
    panel_view_record,
)
from workflow.models import SignOff, Stage
from workflow.services import case_signoff

from ..policy import policy_set
from ..workflow.steps import (
    DECLINE_REASON,
    RATIONALE,
    VIEW_COMMENT,
    Event,
    Story,
    events,
    fresh,
    invalid,
    refused,
)

pytestmark = pytest.mark.django_db

AGREED = "Letter of concern; monthly supervision for three months."


def declare_all(case: Any, members: list[Any]) -> None:
    for member in members:
        panel_declare(case_id=case.pk, actor=member, no_conflict=True)


def view(case: Any, member: Any, outcome: str, comment: str = VIEW_COMMENT) -> Any:
    return panel_view_record(case_id=case.pk, actor=member, outcome=outcome, comment=comment)


# --- views ----------------------------------------------------------------------------


def test_a_member_who_declared_records_a_view(cast: Any, story: Story) -> None:
    case = story.just_convened()
    declare_all(case, [cast.panel_b])

    view(case, cast.panel_b, "mediation", f"  {VIEW_COMMENT}  ")

    recorded = PanelView.objects.get()
    assert (recorded.membership.user, recorded.round, recorded.outcome, recorded.comment) == (
        cast.panel_b,
        0,
        "mediation",
        VIEW_COMMENT,
    )
    assert events(case)[-1] == Event("record_view", "panel", "panel", cast.panel_b, "")
    assert fresh(case).stage == Stage.PANEL


def test_no_view_before_declaring(cast: Any, story: Story) -> None:
    case = story.just_convened()
    exc = refused(
        Conflict,
        panel_view_record,
        case_id=case.pk,
        actor=cast.panel_b,
        outcome="mediation",
        comment=VIEW_COMMENT,
    )
    assert exc.message.startswith("Declare that you have no conflict")


def test_one_view_a_round_and_it_stays_as_recorded(cast: Any, story: Story) -> None:
    case = story.just_convened()
    declare_all(case, [cast.panel_b])
    view(case, cast.panel_b, "mediation")

    refused(
        Conflict,
        panel_view_record,
        case_id=case.pk,
        actor=cast.panel_b,
        outcome="no_further_action",
        comment=VIEW_COMMENT,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        PanelView.objects.update(outcome="formal_investigation")
    assert PanelView.objects.get().outcome == "mediation"


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"outcome": "withdrawn", "comment": VIEW_COMMENT}, {"outcome"}),
        ({"outcome": "", "comment": VIEW_COMMENT}, {"outcome"}),
        ({"outcome": "mediation", "comment": "  "}, {"comment"}),
    ],
)
def test_a_bad_view_is_reported_by_field(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.just_convened()
    declare_all(case, [cast.panel_b])
    assert invalid(panel_view_record, case_id=case.pk, actor=cast.panel_b, **kwargs) == fields


@pytest.mark.parametrize("who", ["hr", "manager"])
def test_only_members_record_views(cast: Any, story: Story, who: str) -> None:
    case = story.just_convened()
    refused(
        NotAllowed,
        panel_view_record,
        case_id=case.pk,
        actor=getattr(cast, who),
        outcome="mediation",
        comment=VIEW_COMMENT,
    )


# --- the quorum and the decision --------------------------------------------------------


def test_the_chair_decides_only_once_every_member_has_given_a_view(cast: Any, story: Story) -> None:
    case = story.just_convened()
    declare_all(case, cast.panel)
    view(case, cast.panel_a, "mediation")
    view(case, cast.panel_b, "mediation")

    exc = refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )
    assert exc.message == "The panel needs 3 members' views before deciding; 2 recorded so far."

    view(case, cast.panel_c, "mediation")
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    )
    assert fresh(case).stage == Stage.CLOSED


def test_the_quorum_is_trust_policy(cast: Any, story: Story) -> None:
    policy_set(panel_quorum=2)
    case = story.just_convened()
    declare_all(case, [cast.panel_a, cast.panel_b])
    view(case, cast.panel_a, "mediation")
    view(case, cast.panel_b, "informal_action")

    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    )
    assert fresh(case).stage == Stage.CLOSED


def test_the_chair_must_have_declared_before_deciding(cast: Any, story: Story) -> None:
    policy_set(panel_quorum=2)
    case = story.just_convened()
    declare_all(case, [cast.panel_b, cast.panel_c])
    view(case, cast.panel_b, "mediation")
    view(case, cast.panel_c, "mediation")

    exc = refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )
    assert "Declare" in exc.message


def test_the_decision_keeps_agreed_actions_the_guides_letter_and_the_dissent(
    cast: Any, story: Story
) -> None:
    case = story.just_convened()  # the manager's answers lead to G
    declare_all(case, cast.panel)
    view(case, cast.panel_a, "informal_action")
    view(case, cast.panel_b, "informal_action")
    view(case, cast.panel_c, "formal_investigation", "The pattern warrants an investigation.")

    panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="informal_action",
        rationale=RATIONALE,
        agreed_actions=f" {AGREED} ",
    )

    decision = PanelDecision.objects.get(case=case)
    assert (decision.agreed_actions, decision.just_culture_outcome) == (AGREED, "G")
    assert decision.guide_alignment == GuideAlignment.CONSISTENT
    assert not DecisionGuideAnswers.objects.exists()
    payload = fresh(case).events.latest("seq").payload
    assert payload["views"] == {"agree": 2, "dissent": 1}
    assert (payload["guide_reviewed"], payload["guide_amended"]) == (False, False)
    # The dissenting view is still on record, as it was.
    dissent = PanelView.objects.get(membership__user=cast.panel_c)
    assert (dissent.outcome, dissent.comment) == (
        "formal_investigation",
        "The pattern warrants an investigation.",
    )


def test_a_panel_that_amends_the_guides_answers_decides_against_its_advice(
    cast: Any, story: Story
) -> None:
    case = story.convened()
    manager_answers = vars(fresh(case).just_culture.answers())  # they lead to G
    amended = {**manager_answers, "q4a": True}  # peers would have done the same: E

    panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="formal_investigation",
        rationale=RATIONALE,
        just_culture=amended,
    )

    decision = PanelDecision.objects.get(case=case)
    assert decision.just_culture_outcome == "E"
    assert decision.guide_alignment == GuideAlignment.DEPARTS
    assert decision.guide_answers.q4a is True
    assert decision.guide_answers.outcome == "E"
    assert fresh(case).just_culture.outcome == "G"  # the manager's answers are untouched
    payload = fresh(case).events.latest("seq").payload
    assert (payload["guide_reviewed"], payload["guide_amended"]) == (True, True)
    assert payload["just_culture_outcome"] == "E"


def test_bad_guide_answers_are_reported(cast: Any, story: Story) -> None:
    case = story.convened()
    assert invalid(
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
        just_culture={"q9z": True, "q1a": "maybe"},
    ) == {"just_culture"}


# --- reconsidering after a declined sign-off ----------------------------------------------


def test_after_a_declined_signoff_the_same_panel_reconsiders(cast: Any, story: Story) -> None:
    case = story.signoff()
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)
    refused(
        Conflict,
        panel_convene,
        case_id=case.pk,
        actor=cast.hr,
        members=[m.pk for m in cast.panel],
        chair=cast.panel_a.pk,
    )

    # A member may record a fresh view; the earlier ones stay on record.
    view(case, cast.panel_c, "mediation", "Having read the director's reasons: mediation.")
    refused(
        Conflict,
        panel_view_record,
        case_id=case.pk,
        actor=cast.panel_c,
        outcome="mediation",
        comment=VIEW_COMMENT,
    )
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    )

    assert fresh(case).stage == Stage.CLOSED
    assert list(
        PanelView.objects.filter(membership__user=cast.panel_c).values_list("round", "outcome")
    ) == [(0, "informal_action"), (1, "mediation")]
    first, second = PanelDecision.objects.filter(case=case).order_by("decided_at", "id")
    assert (first.panel_id, first.outcome) == (second.panel_id, "formal_investigation")


# --- the whole walk ---------------------------------------------------------------------


def test_convening_declarations_a_conflict_its_replacement_views_decision_and_signoff(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=True)
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason="My neighbour.")
    panel_members_replace(case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk])
    panel_declare(case_id=case.pk, actor=extras.panel_d, no_conflict=True)
    for member in (cast.panel_a, cast.panel_b, extras.panel_d):
        view(case, member, "formal_investigation")
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="formal_investigation", rationale=RATIONALE
    )
    case_signoff(
        case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate to the concern."
    )

    case = fresh(case)
    assert case.stage == Stage.FORMAL
    assert SignOff.objects.get(case=case).decision == PanelDecision.objects.get(case=case)
    assert [(e.action, e.actor) for e in events(case)[2:]] == [
        ("convene_panel", cast.hr),
        ("record_account", cast.hr),
        ("declare", cast.panel_a),
        ("declare", cast.panel_b),
        ("declare", cast.panel_c),
        ("replace_members", cast.hr),
        ("declare", extras.panel_d),
        ("record_view", cast.panel_a),
        ("record_view", cast.panel_b),
        ("record_view", extras.panel_d),
        ("decide", cast.panel_a),
        ("signoff", cast.director),
    ]
    assert case.version == len(events(case))
