"""Pages speak the reader's language: labels, names and plain sentences, and
one statement of what each person must do next."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from panels.services import panel_convene, panel_decision_record, panel_declare
from workflow.services import case_signoff, case_triage, referral_submit

from ..factories import referral_kwargs
from ..workflow.steps import PANEL_REASON, RATIONALE, Story, deliberate
from .pages import act, login, page

pytestmark = pytest.mark.django_db


def html(response: Any) -> str:
    assert response.status_code in (200, 400), response.status_code
    return str(response.content.decode())


def named(cast: Any) -> dict[str, str]:
    """Give the panel full names, as a trust's people have."""
    names = {
        "panel_a": ("Priya", "Shah"),
        "panel_b": ("Paul", "Grant"),
        "panel_c": ("Pat", "Owusu"),
    }
    for who, (first, last) in names.items():
        user = getattr(cast, who)
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return {who: f"{first} {last}" for who, (first, last) in names.items()}


# --- the case path ----------------------------------------------------------------------


def test_the_case_path_names_people_and_speaks_in_sentences(
    client: Client, cast: Any, story: Story
) -> None:
    names = named(cast)
    case = story.signoff()
    login(client, cast.hr)

    text = html(client.get(reverse("cases:path", args=[case.pk])))

    for name in names.values():
        assert name in text
    assert f"Chair: {names['panel_a']}." in text
    # Each member's view was informal action; the decision formal investigation.
    assert "Members&#x27; views: 0 agree, 3 dissent." in text
    assert "Decision: Formal investigation." in text
    assert "Concern: Conduct or behaviour." in text
    assert "Route: Straight to the Fair Treatment Panel." in text
    for code in ("members: [", "chair: ", "panel_id", "views: {", "decision_id", "{&#x27;"):
        assert code not in text


def test_the_case_path_names_nobody_its_viewer_may_not_see(cast: Any, story: Story) -> None:
    """The names come through ``access.shown_for``: who may not see the case's
    people (here a manager who did not refer it) is given no name at all."""
    from workflow.access import shown_event
    from workflow.audit_selectors import people_named

    named(cast)
    case = story.just_convened()
    events = [shown_event(cast.hr, e) for e in AuditEvent.objects.filter(case=case)]

    # The panel, and the case owner named at triage.
    assert set(people_named(cast.hr, case, events)) == {m.pk for m in cast.panel} | {cast.hr.pk}
    assert people_named(cast.other_manager, case, events) == {}
    assert people_named(cast.governance, case, events) == {}


def test_the_case_path_reads_names_in_one_query_however_many_events(
    client: Client, cast: Any, story: Story, django_assert_max_num_queries: Any
) -> None:
    from workflow.access import shown_event
    from workflow.audit_selectors import people_named

    case = story.signoff()
    events = [shown_event(cast.hr, e) for e in AuditEvent.objects.filter(case=case)]
    with django_assert_max_num_queries(3):  # the roles, the case's people, the names
        assert people_named(cast.hr, case, events)


# --- errors name labels, not codes -------------------------------------------------------


def test_an_unknown_concern_category_is_refused_in_labels(cast: Any, employee: Any) -> None:
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        referral_submit(actor=cast.manager, **referral_kwargs(employee, concern_category="x"))
    message = " ".join(info.value.errors["concern_category"])
    assert "Clinical practice" in message
    assert "clinical_practice" not in message


def test_a_redirect_without_a_policy_is_refused_on_the_page_in_labels(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.submitted()
    response = act(client, cast.hr, case, "triage", route="redirect", reason="Not ours.")
    text = html(response)
    assert response.status_code == 400
    assert "Capability, Sickness absence, Grievance, Safeguarding" in text
    assert "sickness_absence," not in text


def test_a_triage_with_an_unknown_route_names_the_routes_as_the_form_does(
    cast: Any, story: Story
) -> None:
    from core.errors import ValidationFailed

    case = story.submitted()
    with pytest.raises(ValidationFailed) as info:
        case_triage(case_id=case.pk, actor=cast.hr, route="sideways")
    message = " ".join(info.value.errors["route"])
    assert "Informal resolution" in message
    assert "informal," not in message


# --- "(optional)" only where a blank is accepted -------------------------------------------


@pytest.mark.parametrize(
    ("who", "where", "action", "needed"),
    [
        ("hr", "submitted", "triage", "(needed for any route but informal resolution)"),
        ("hr", "submitted", "triage", "(needed when redirecting)"),
        ("manager", "informal", "record_informal_outcome", "(needed when it was not resolved)"),
        ("panel_b", "just_convened", "declare", "(needed when you have a conflict)"),
    ],
)
def test_a_field_the_service_may_require_is_not_labelled_optional(
    client: Client, cast: Any, story: Story, who: str, where: str, action: str, needed: str
) -> None:
    case = getattr(story, where)()
    login(client, getattr(cast, who))
    text = html(client.get(reverse("cases:action", args=[case.pk, action])))
    assert needed in text
    assert "(optional)" not in text


def test_the_sign_off_reason_is_required_on_the_form_and_shown_on_the_record(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.signoff()
    login(client, cast.director)
    form = html(client.get(reverse("cases:action", args=[case.pk, "signoff"])))
    assert "(optional)" not in form

    refused = act(client, cast.director, case, "signoff", approve="yes")
    assert refused.status_code == 400
    assert case.signoffs.count() == 0

    reason = "The rationale shows only an investigation will settle the facts."
    assert (
        act(client, cast.director, case, "signoff", approve="yes", reason=reason).status_code == 302
    )
    assert case.signoffs.get().reason == reason
    assert reason in html(page(client, cast.director, case))


# --- the panel's progress and the guide ------------------------------------------------------


def test_the_panel_card_says_how_many_views_are_in_not_that_they_are_needed(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.convened()
    text = html(page(client, cast.hr, case))
    assert "3 of 3 views recorded" in text
    assert "views needed" not in text


def test_the_guide_card_and_the_decision_give_the_same_advice(
    client: Client, cast: Any, employee: Any
) -> None:
    """The manager's answers are too few to advise; the panel's review gives D:
    the card shows the panel's D, never "not enough answers" above a decision
    that departs from D."""
    case = referral_submit(actor=cast.manager, **referral_kwargs(employee, just_culture={}))
    case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON)
    panel_convene(
        case_id=case.pk, actor=cast.hr, members=[m.pk for m in cast.panel], chair=cast.panel_a.pk
    )
    deliberate(case)
    review = {"q1a": False, "q2a": False, "q2b": False, "q2c": False, "q3a": False}
    panel_decision_record(
        case_id=case.pk,
        actor=cast.panel_a,
        outcome="formal_investigation",
        rationale=RATIONALE,
        just_culture=review,
    )

    text = html(page(client, cast.hr, case))
    assert "Not enough answers for the guide to advise" not in text
    assert "<strong>Advice D:</strong>" in text
    alignment = text[text.index('data-testid="guide-alignment"') :]
    assert alignment.startswith(
        'data-testid="guide-alignment">Just culture guide: advice D '
        "(from the panel's reviewed answers); departs"
    ), alignment[:200]

    # Declined, then decided again without a fresh review: the panel's D stands.
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=PANEL_REASON)
    decision = panel_decision_record(
        case_id=case.pk, actor=cast.panel_a, outcome="mediation", rationale=RATIONALE
    ).decisions.latest("decided_at")
    assert (decision.just_culture_outcome, decision.guide_alignment) == ("D", "consistent")


# --- what to do next, said once ------------------------------------------------------------


def test_the_inbox_and_panel_work_tell_the_chair_the_same_next_step(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.just_convened()
    login(client, cast.panel_a)  # the chair, yet to declare

    text = html(client.get(reverse("cases:inbox")))
    row = text[text.index(f'data-testid="next-{case.pk}"') :]
    assert row[row.index(">") + 1 : row.index("</td>")] == "Declare any conflict of interest"
    work = text[text.index('data-testid="panel-work"') :]
    assert f"{case.reference}</a>: Declare any conflict of interest" in work
    assert "Record panel decision" not in text

    panel_declare(case_id=case.pk, actor=cast.panel_a, no_conflict=True)
    deliberate(case)
    text = html(client.get(reverse("cases:inbox")))
    row = text[text.index(f'data-testid="next-{case.pk}"') :]
    assert row[row.index(">") + 1 : row.index("</td>")] == "Record the panel&#x27;s decision"


# --- "Suggest a panel", once ------------------------------------------------------------------


def test_following_suggest_a_panel_from_the_case_page_logs_one_suggestion(
    client: Client, cast: Any, story: Story
) -> None:
    case = story.panel()
    login(client, cast.hr)
    url = reverse("cases:action", args=[case.pk, "suggest_panel"])
    assert client.get(url, follow=True).status_code == 200
    # The page again (a reload, the Back button): nothing new to record.
    assert client.get(url, follow=True).status_code == 200
    assert AuditEvent.objects.filter(case=case, action="suggest_panel").count() == 1
