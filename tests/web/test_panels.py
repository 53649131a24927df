"""The panel pages and forms, used the way each person would use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels.models import GuideAlignment, PanelDecision, PanelMembership
from panels.services import panel_declare
from workflow.models import Case, Stage

from ..workflow.steps import RATIONALE, Story, fresh
from .pages import act, deliberate, login, page

pytestmark = pytest.mark.django_db

CONFLICT = "The employee is my brother-in-law."


def html(response: Any) -> str:
    return str(response.content.decode())


def get(client: Client, user: Any, name: str, *args: Any, **params: Any) -> Any:
    login(client, user)
    return client.get(reverse(name, args=args), params)


# --- before declaring, a member sees only who is involved ----------------------------------


def test_a_member_yet_to_declare_sees_the_people_and_what_to_do_not_the_case(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()

    text = html(page(client, cast.panel_b, case))

    assert 'data-testid="restricted"' in text
    assert case.employee_name in text
    assert cast.manager.username in text
    assert case.summary not in text
    assert "Just culture guide" not in text
    assert "The path so far" not in text
    assert case.informal_steps_tried not in text
    assert reverse("cases:action", args=[case.pk, "declare"]) in text
    form = html(get(client, cast.panel_b, "cases:action", case.pk, "declare"))
    assert 'data-testid="parties"' in form
    assert case.summary not in form


def test_the_case_list_hides_the_department_and_concern_until_the_member_declares(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    department, concern = case.employee_org_unit, case.get_concern_category_display()

    text = html(get(client, cast.panel_b, "cases:list"))
    assert case.reference in text
    assert case.employee_name in text
    assert "Shown once you declare no conflict of interest" in text
    assert concern not in text
    assert f'<td class="mdc-data-table__cell">{department.name}' not in text
    # Nor can a filter by department tell them where the case is from.
    filtered = html(get(client, cast.panel_b, "cases:list", org_unit=department.code))
    assert case.reference not in filtered

    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    text = html(get(client, cast.panel_b, "cases:list", org_unit=department.code))
    assert case.reference in text
    assert concern in text
    assert "Shown once you declare" not in text


def test_declaring_no_conflict_through_the_form_opens_the_case(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()

    assert act(client, cast.panel_b, case, "declare", no_conflict="yes").status_code == 302

    text = html(page(client, cast.panel_b, case))
    assert case.summary in text
    assert "Just culture guide" in text
    assert reverse("cases:action", args=[case.pk, "record_view"]) in text


def test_a_conflict_through_the_form_needs_its_nature_and_stands_the_member_down(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()

    refused = act(client, cast.panel_c, case, "declare", no_conflict="no", reason="")
    assert refused.status_code == 400
    assert "the nature of your conflict" in html(refused)
    assert (
        act(client, cast.panel_c, case, "declare", no_conflict="no", reason=CONFLICT).status_code
        == 302
    )

    assert "were stood down" in html(page(client, cast.panel_c, case))
    hr_page = html(page(client, cast.hr, case))
    assert "stood down" in hr_page
    assert CONFLICT in hr_page  # HR reads the reason
    assert "HR must replace them" in hr_page
    assert CONFLICT not in html(page(client, cast.panel_a, case))


# --- views and the decision -----------------------------------------------------------


def test_views_then_a_decision_that_amends_the_guide_through_the_forms(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    deliberate(client, case, cast.panel)
    form = html(get(client, cast.panel_a, "cases:action", case.pk, "decide"))
    assert "5a. Were there significant mitigating circumstances?" in form
    answers = {
        n: ("yes" if v else "no") for n, v in vars(fresh(case).just_culture.answers()).items()
    }

    response = act(
        client,
        cast.panel_a,
        case,
        "decide",
        outcome="informal_action",
        rationale=RATIONALE,
        agreed_actions="Letter of concern and supervision.",
        **{**answers, "q5a": "yes"},  # the panel finds significant mitigation: F
    )

    assert response.status_code == 302
    decision = PanelDecision.objects.get(case=case)
    assert decision.just_culture_outcome == "F"
    assert decision.guide_answers.q5a is True
    assert decision.guide_alignment == GuideAlignment.CONSISTENT
    text = html(page(client, cast.hr, case))
    assert "Agreed actions: <span" in text
    assert "advice F (from the panel's reviewed" in text
    assert text.count('data-testid="view"') == 3


def test_unchanged_guide_answers_are_not_recorded_as_the_panels_review(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.convened()
    answers = {
        n: ("yes" if v else "no") for n, v in vars(fresh(case).just_culture.answers()).items()
    }

    act(client, cast.panel_a, case, "decide", outcome="mediation", rationale=RATIONALE, **answers)

    decision = PanelDecision.objects.get(case=case)
    assert decision.just_culture_outcome == "G"
    assert not hasattr(decision, "guide_answers")


def test_the_referring_manager_never_sees_the_members_views(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.convened()
    assert 'data-testid="view"' not in html(page(client, cast.manager, case))
    assert 'data-testid="view"' in html(page(client, cast.panel_b, case))


# --- HR: the dashboard, the suggestion, replacing ------------------------------------------


def test_the_panels_dashboard_sorts_cases_by_what_they_wait_for(
    client: Client, cast: Any, story: Story
) -> None:
    waiting = story.panel()
    declaring = story.just_convened()
    viewing = story.just_convened()
    for member in cast.panel:
        panel_declare(case_id=viewing.pk, actor=member, no_conflict=True)
    deciding = story.convened()
    replacing = story.just_convened()
    panel_declare(case_id=replacing.pk, actor=cast.panel_b, no_conflict=False, reason=CONFLICT)

    text = html(get(client, cast.hr, "cases:panels"))

    sections = {
        "convene": waiting,
        "declarations": declaring,
        "views": viewing,
        "decision": deciding,
        "replacement": replacing,
    }
    for key, case in sections.items():
        start = text.index(f'data-testid="section-{key}"')
        assert case.reference in text[start : text.index("</table>", start)], key
    assert get(client, cast.manager, "cases:panels").status_code == 403


def test_hr_convenes_the_suggested_panel_from_the_suggestion_page(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.panel()

    text = html(get(client, cast.hr, "cases:panel_suggestion", case.pk))

    assert 'data-testid="suggested"' in text
    assert text.count("<tr class") >= 3
    link = reverse("cases:action", args=[case.pk, "convene_panel"])
    assert link in text
    form = html(
        get(
            client,
            cast.hr,
            "cases:action",
            case.pk,
            "convene_panel",
            members=[m.pk for m in cast.panel],
            chair=cast.panel_a.pk,
        )
    )
    assert form.count("checked") >= 3
    members = [m.pk for m in cast.panel]
    assert (
        act(
            client, cast.hr, case, "convene_panel", members=members, chair=cast.panel_a.pk
        ).status_code
        == 302
    )
    assert fresh(case).panels.count() == 1
    # The old route to the action redirects to the page; nobody else may look.
    response = get(client, cast.hr, "cases:action", case.pk, "suggest_panel")
    assert response.status_code == 302
    assert get(client, cast.manager, "cases:panel_suggestion", case.pk).status_code == 403
    assert get(client, cast.outsider, "cases:panel_suggestion", case.pk).status_code == 404


def test_hr_replaces_a_member_who_stood_down_through_the_form(
    client: Client, cast: Any, extras: Any, story: Story
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=False, reason=CONFLICT)
    inbox = html(get(client, cast.hr, "cases:inbox"))
    assert 'data-testid="to-fill"' in inbox
    assert case.reference in inbox
    suggestion = html(get(client, cast.hr, "cases:panel_suggestion", case.pk))
    assert "Replace with these" in suggestion

    response = act(client, cast.hr, case, "replace_members", members=[extras.panel_d.pk])

    assert response.status_code == 302
    assert 'data-testid="to-fill"' not in html(get(client, cast.hr, "cases:inbox"))
    seat = PanelMembership.objects.select_related("replaces").get(user=extras.panel_d)
    assert seat.replaces is not None
    assert seat.replaces.user == cast.panel_b


# --- a member's panels and inbox ------------------------------------------------------------


def test_my_panels_and_the_inbox_say_what_each_member_must_do(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()

    def todo(user: Any) -> str:
        text = html(get(client, user, "cases:my_panels"))
        start = text.index(f'data-testid="todo-{case.pk}"')
        return text[text.index(">", start) + 1 : text.index("</td>", start)]

    assert todo(cast.panel_b) == "Declare any conflict of interest"
    assert "Declare any conflict of interest" in html(get(client, cast.panel_b, "cases:inbox"))
    act(client, cast.panel_b, case, "declare", no_conflict="yes")
    assert todo(cast.panel_b) == "Record your view"
    deliberate(client, case, [cast.panel_a, cast.panel_c])
    act(client, cast.panel_b, case, "record_view", outcome="mediation", comment="Mediation fits.")
    assert todo(cast.panel_a) == "Record the panel&#x27;s decision"
    assert todo(cast.panel_b) == "Waiting on the chair&#x27;s decision"
    assert 'data-testid="panel-work"' not in html(get(client, cast.panel_b, "cases:inbox"))
    assert get(client, cast.hr, "cases:my_panels").status_code == 403


# --- the whole walk in the browser ----------------------------------------------------------


def test_a_case_walks_from_convening_through_a_conflict_to_formal_in_the_browser(
    client: Client, cast: Any, extras: Any, story: Story
) -> None:
    case = story.panel()
    members = [m.pk for m in cast.panel]
    act(client, cast.hr, case, "convene_panel", members=members, chair=cast.panel_a.pk)
    act(client, cast.panel_c, case, "declare", no_conflict="no", reason=CONFLICT)
    assert (
        act(client, cast.hr, case, "replace_members", members=[extras.panel_d.pk]).status_code
        == 302
    )
    deliberate(client, case, [cast.panel_a, cast.panel_b, extras.panel_d])
    assert (
        act(
            client,
            cast.panel_a,
            case,
            "decide",
            outcome="formal_investigation",
            rationale=RATIONALE,
        ).status_code
        == 302
    )
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

    case = Case.objects.get(pk=case.pk)
    assert case.stage == Stage.FORMAL
    actions = list(case.events.path().values_list("action", flat=True))
    # HR adds the employee's account before the members deliberate (pages.deliberate).
    assert actions[2:7] == [
        "convene_panel",
        "declare",
        "replace_members",
        "record_account",
        "declare",
    ]
    assert actions[-2:] == ["decide", "signoff"]


# --- cost ------------------------------------------------------------------------------------


def _queries(client: Client, user: Any, name: str) -> int:
    login(client, user)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name)).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("panel_b", "cases:my_panels"),
        ("hr", "cases:panels"),
        ("panel_b", "cases:inbox"),
        ("hr", "cases:inbox"),
    ],
)
def test_panel_pages_cost_the_same_queries_however_many_panels(
    client: Client, cast: Any, story: Story, who: str, name: str
) -> None:
    story.convened()
    story.just_convened()
    small = _queries(client, getattr(cast, who), name)
    for _ in range(3):
        story.convened()
        story.just_convened()
    assert _queries(client, getattr(cast, who), name) == small
