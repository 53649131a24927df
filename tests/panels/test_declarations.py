"""Declarations of interest, a declared conflict, and HR replacing the member.

Before a member sees a case they declare, once, that they have no conflict
with it, or a conflict, which stands them down at once; HR then fills the
seat, and the rules apply again to the panel as it will be.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction

from accounts.roles import Role
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from panels import state
from panels.models import Declaration, Panel, PanelMembership
from panels.services import (
    panel_decision_record,
    panel_declare,
    panel_members_replace,
    panel_view_record,
)
from workflow.models import Stage
from workflow.rules import Action
from workflow.selectors import case_get_for

from ..factories import in_pool, make_user
from ..workflow.steps import (
    RATIONALE,
    VIEW_COMMENT,
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

CONFLICT = "The employee is my brother-in-law."
# The actions of the panel's step itself (and withdrawing the referral).
PANEL_STEP = {Action.SUGGEST_PANEL, Action.REPLACE_MEMBERS, Action.WITHDRAW}


def panel_of(case: Any) -> Panel:
    return Panel.objects.get(case=case)


def seat(case: Any, user: Any) -> PanelMembership:
    return PanelMembership.objects.get(panel__case=case, user=user)


# --- declaring no conflict ---------------------------------------------------------


def test_a_member_declares_no_conflict_and_the_flow_waits_where_it_was(
    cast: Any, story: Story
) -> None:
    case = story.just_convened()

    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)

    made = Declaration.objects.get(membership=seat(case, cast.panel_b))
    assert (made.no_conflict, made.reason) == (True, "")
    case = fresh(case)
    # Submitted, triaged, convened, the employee's account added, the declaration.
    assert (case.stage, case.version) == (Stage.PANEL, 5)
    assert nodes(case) == ["decide"]
    assert task_owner(case, "decide") == cast.panel_a
    assert events(case)[-1] == Event("declare", "panel", "panel", cast.panel_b, "")


def test_until_they_declare_a_member_sees_only_who_is_involved_and_what_to_do(
    cast: Any, story: Story
) -> None:
    case = story.just_convened()

    before = case_get_for(cast.panel_b, case.pk)
    assert before.restricted
    assert before.actions == [Action.DECLARE]
    assert not case_get_for(cast.hr, case.pk).restricted
    assert not case_get_for(cast.manager, case.pk).restricted

    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)

    after = case_get_for(cast.panel_b, case.pk)
    assert not after.restricted
    assert after.actions == [Action.RECORD_VIEW]


def test_declaring_is_once_only(cast: Any, story: Story) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)

    exc = refused(
        Conflict,
        panel_declare,
        case_id=case.pk,
        actor=cast.panel_b,
        no_conflict=False,
        reason=CONFLICT,
    )
    assert exc.message == "You have already declared on this case."


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"no_conflict": None}, {"no_conflict"}),
        ({"no_conflict": "no"}, {"no_conflict"}),
        ({"no_conflict": False}, {"reason"}),
        ({"no_conflict": False, "reason": "   "}, {"reason"}),
    ],
)
def test_a_conflict_must_say_what_it_is(
    cast: Any, story: Story, kwargs: dict[str, Any], fields: set[str]
) -> None:
    case = story.just_convened()
    assert invalid(panel_declare, case_id=case.pk, actor=cast.panel_b, **kwargs) == fields


@pytest.mark.parametrize("who", ["hr", "manager", "director"])
def test_only_a_member_of_the_panel_declares(cast: Any, story: Story, who: str) -> None:
    case = story.just_convened()
    refused(NotAllowed, panel_declare, case_id=case.pk, actor=getattr(cast, who), no_conflict=True)


def test_a_panel_member_not_on_this_panel_cannot_see_it(extras: Any, story: Story) -> None:
    case = story.just_convened()
    refused(NotFound, panel_declare, case_id=case.pk, actor=extras.panel_d, no_conflict=True)


@pytest.mark.parametrize("where", ["panel", "signoff", "formal"])
def test_declarations_apply_only_while_the_panel_deliberates(
    cast: Any, story: Story, where: str
) -> None:
    case = story.at(where)
    who = cast.hr if where == "panel" else cast.panel_b
    error = NotAllowed if where == "panel" else Conflict
    refused(error, panel_declare, case_id=case.pk, actor=who, no_conflict=True)


def test_declarations_cannot_be_changed_or_deleted_even_in_the_database(
    cast: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    made = Declaration.objects.get()
    for change in (
        lambda: Declaration.objects.filter(pk=made.pk).update(no_conflict=False, reason="x"),
        lambda: Declaration.objects.filter(pk=made.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert Declaration.objects.get().no_conflict is True


# --- a declared conflict ------------------------------------------------------------


def test_a_declared_conflict_stands_the_member_down_and_asks_hr_to_replace_them(
    cast: Any, story: Story
) -> None:
    case = story.just_convened()

    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason=f" {CONFLICT} ")

    stood_down = seat(case, cast.panel_c)
    assert stood_down.stood_down_at is not None
    assert not stood_down.sitting
    assert stood_down.declaration.reason == CONFLICT
    panel = panel_of(case)
    assert state.waiting_for(panel) == state.Waiting.REPLACEMENT
    assert state.vacancies(panel) == [stood_down]
    assert events(case)[-1] == Event("declare", "panel", "panel", cast.panel_c, CONFLICT)
    # HR is offered the replacement; the member who stood down sees nothing more.
    # (The employee's voice and wellbeing, recorded at any step before the
    # decision, are offered too; they are not the panel's to fill.)
    offered = case_get_for(cast.hr, case.pk).actions
    assert [a for a in offered if a in PANEL_STEP] == [
        Action.SUGGEST_PANEL,
        Action.REPLACE_MEMBERS,
        Action.WITHDRAW,
    ]
    view = case_get_for(cast.panel_c, case.pk)
    assert view.restricted
    assert view.actions == []
    refused(NotAllowed, panel_declare, case_id=case.pk, actor=cast.panel_c, no_conflict=True)


def test_the_panel_cannot_decide_while_a_seat_is_empty(cast: Any, story: Story) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason=CONFLICT)
    for member in (cast.panel_a, cast.panel_b):
        panel_declare(case_id=case.pk, actor=member, no_conflict=True)
        panel_view_record(case_id=case.pk, actor=member, outcome="mediation", comment=VIEW_COMMENT)

    exc = refused(
        Conflict,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )
    assert "replacement" in exc.message


def test_hr_replaces_the_member_and_the_replacement_declares_in_turn(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason=CONFLICT)

    panel_members_replace(case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk])

    new = seat(case, extras.panel_d)
    assert new.replaces == seat(case, cast.panel_c)
    assert new.sitting
    panel = panel_of(case)
    assert state.vacancies(panel) == []
    assert panel.chair == cast.panel_a
    assert [m.user for m in state.sitting(panel)] == [cast.panel_a, cast.panel_b, extras.panel_d]
    assert events(case)[-1] == Event("replace_members", "panel", "panel", cast.hr, "")
    assert case_get_for(extras.panel_d, case.pk).actions == [Action.DECLARE]
    assert state.waiting_for(panel) == state.Waiting.DECLARATIONS


def test_the_rules_apply_again_to_the_replacement(cast: Any, extras: Any, story: Story) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=False, reason=CONFLICT)
    colleague = make_user("cole.colleague", Role.PANEL)
    in_pool(colleague, unit=story.employee.org_unit, band="8a", trained=True)
    plain = make_user("pip.plain", Role.PANEL)
    in_pool(plain, unit=cast.panel_a.employee.org_unit, band="6")

    exc = refused(
        ValidationFailed,
        panel_members_replace,
        case_id=case.pk,
        actor=cast.hr,
        members=[colleague.pk],
    )
    assert isinstance(exc, ValidationFailed)
    assert exc.errors["members"][0] == (
        "Conflict of interest: cole.colleague works in the employee's department."
    )
    assert exc.errors["members"][1].startswith("Member from outside the ICSU:")
    # Paul was the only trained independent member and the only one from outside the ICSU.
    exc = refused(
        ValidationFailed, panel_members_replace, case_id=case.pk, actor=cast.hr, members=[plain.pk]
    )
    assert isinstance(exc, ValidationFailed)
    assert [m.split(":")[0] for m in exc.errors["members"]] == [
        "Independent member",
        "Member from outside the ICSU",
    ]
    # The one who stood down cannot come back, and a sitting member cannot fill a seat.
    for who in (cast.panel_b, cast.panel_a):
        invalid(panel_members_replace, case_id=case.pk, actor=cast.hr, members=[who.pk])
    assert invalid(
        panel_members_replace,
        case_id=case.pk,
        actor=cast.hr,
        members=[extras.panel_d.pk, extras.hr_panel.pk],
    ) == {"members"}
    panel_members_replace(case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk])


def test_replacing_applies_only_when_a_seat_is_empty(cast: Any, extras: Any, story: Story) -> None:
    case = story.just_convened()
    exc = refused(
        Conflict, panel_members_replace, case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk]
    )
    assert exc.message == "The panel is complete: nobody has stood down."
    refused(
        NotAllowed,
        panel_members_replace,
        case_id=case.pk,
        actor=cast.panel_a,
        members=[extras.panel_d.pk],
    )


def test_when_the_chair_stands_down_hr_names_a_new_chair_and_the_decision_follows(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=False, reason=CONFLICT)
    # The chair who stood down can no longer decide.
    refused(
        NotAllowed,
        panel_decision_record,
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="mediation",
        rationale=RATIONALE,
    )

    assert invalid(
        panel_members_replace, case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk]
    ) == {"chair"}
    panel_members_replace(
        case_id=case.pk, actor=cast.hr, members=[extras.panel_d.pk], chair=cast.panel_b.pk
    )

    assert panel_of(case).chair == cast.panel_b
    assert task_owner(case, "decide") == cast.panel_b
    payload = fresh(case).events.latest("seq").payload
    assert payload["chair"] == cast.panel_b.pk
    assert payload["replacing"] == [cast.panel_a.pk]
    story.deliberated(case)
    panel_decision_record(
        case_id=case.pk, actor=cast.panel_b, outcome="mediation", rationale=RATIONALE
    )
    assert fresh(case).stage == Stage.CLOSED
