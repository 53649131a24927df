"""Each refusal, as a person sees it: the right status, a clear message, nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent, EventType
from workflow.models import Case, Stage

from .pages import act, login, page, submit, submit_case

pytestmark = pytest.mark.django_db


def _snapshot(case: Case) -> tuple[str, int, str, int]:
    case.refresh_from_db()
    return case.stage, case.version, case.outcome, AuditEvent.objects.filter(case=case).count()


def test_anonymous_people_are_sent_to_log_in(client):
    r = client.get(reverse("cases:list"))
    assert r.status_code == 302
    assert r["Location"].startswith(reverse("login"))


def test_only_managers_can_propose_a_referral(client, cast, employee):
    for user in (cast.hr, cast.panel_a, cast.director, cast.governance, cast.outsider):
        r = submit(client, user, employee)
        assert r.status_code == 403
        assert "Only a referring manager" in r.content.decode()
    assert Case.objects.count() == 0


def test_opening_the_referral_form_without_the_role_says_why(client, cast):
    login(client, cast.hr)
    r = client.get(reverse("cases:new"))
    assert r.status_code == 403
    assert "Only a referring manager can submit a referral." in r.content.decode()


def test_opening_an_action_that_does_not_apply_now_says_so_with_409(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    login(client, cast.hr)
    r = client.get(reverse("cases:action", args=[case.pk, "convene_panel"]))
    assert r.status_code == 409
    assert "You cannot take this action on this case now." in r.content.decode()
    r = client.get(reverse("cases:action", args=[case.pk, "triage"]))
    assert r.status_code == 200


def test_bad_referral_input_is_explained_and_nothing_is_written(client, cast, employee):
    r = submit(client, cast.manager, employee, staff_number="NOPE", summary="short")
    assert r.status_code == 400
    body = r.content.decode()
    assert "No employee has that staff number" in body
    assert "at least 20 characters" in body
    assert Case.objects.count() == 0


def test_wrong_role_gets_403_with_the_rule(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    before = _snapshot(case)
    r = act(client, cast.director, case, "triage", route="informal")
    assert r.status_code == 403
    assert "Only an HR adviser can triage" in r.content.decode()
    assert _snapshot(case) == before


def test_wrong_stage_gets_409(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    before = _snapshot(case)
    r = act(
        client,
        cast.hr,
        case,
        "convene_panel",
        members=[u.pk for u in cast.panel],
        chair=cast.panel_a.pk,
    )
    assert r.status_code == 409
    assert "does not apply" in r.content.decode()
    assert _snapshot(case) == before


def test_stale_page_gets_409_and_changes_nothing(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    client.force_login(cast.hr)
    r = client.post(
        reverse("cases:action", args=[case.pk, "triage"]),
        {"version": case.version - 1 if case.version > 1 else 99, "route": "informal"},
    )
    assert r.status_code == 409
    assert "changed by someone else" in r.content.decode()
    assert _snapshot(case)[0] == Stage.SUBMITTED


@pytest.mark.parametrize("who", ["outsider", "governance", "other_manager", "panel_a"])
def test_people_who_may_not_see_the_case_get_404(client, cast, employee, who):
    case = submit_case(client, cast.manager, employee)
    before = _snapshot(case)
    user = getattr(cast, who)
    assert page(client, user, case).status_code == 404
    assert act(client, user, case, "withdraw", reason="not mine").status_code == 404
    assert _snapshot(case) == before


def test_bad_action_input_is_explained_per_field(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    before = _snapshot(case)
    r = act(client, cast.hr, case, "triage", route="panel", reason="")
    assert r.status_code == 400
    assert "the reason informal resolution is inappropriate" in r.content.decode()
    r = act(client, cast.hr, case, "triage", route="teleport")
    assert r.status_code == 400
    assert _snapshot(case) == before


def test_unknown_action_is_404(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    client.force_login(cast.hr)
    assert client.get(reverse("cases:action", args=[case.pk, "fly"])).status_code == 404


def test_case_list_is_scoped_by_role(client, cast, employee):
    mine = submit_case(client, cast.manager, employee)
    # The same employee: the second manager is warned and gives a reason.
    theirs = submit_case(
        client, cast.other_manager, employee, duplicate_reason="A separate concern, on nights."
    )
    client.force_login(cast.manager)
    body = client.get(reverse("cases:list")).content.decode()
    assert mine.reference in body
    assert theirs.reference not in body
    client.force_login(cast.hr)
    body = client.get(reverse("cases:list")).content.decode()
    assert mine.reference in body
    assert theirs.reference in body
    client.force_login(cast.governance)
    body = client.get(reverse("cases:list")).content.decode()
    assert mine.reference not in body
    assert theirs.reference not in body
    # A panel member sees a case only once convened on it.
    client.force_login(cast.panel_a)
    assert mine.reference not in client.get(reverse("cases:list")).content.decode()
    act(client, cast.hr, mine, "triage", route="panel", reason="Straight to panel: pattern.")
    act(
        client,
        cast.hr,
        mine,
        "convene_panel",
        members=[u.pk for u in cast.panel],
        chair=cast.panel_a.pk,
    )
    client.force_login(cast.panel_a)
    body = client.get(reverse("cases:list")).content.decode()
    assert mine.reference in body
    assert theirs.reference not in body


def test_ethnicity_shows_only_to_hr_and_decision_makers_and_is_logged(client, cast, employee):
    case = submit_case(client, cast.manager, employee)
    for user in (cast.manager,):
        assert 'data-testid="ethnicity"' not in page(client, user, case).content.decode()
    assert AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).count() == 0
    for user in (cast.hr, cast.director):
        assert 'data-testid="ethnicity"' in page(client, user, case).content.decode()
    shown = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY)
    assert set(shown.values_list("actor__username", flat=True)) == {
        cast.hr.username,
        cast.director.username,
    }


def test_governance_lands_on_the_aggregate_overview(client, cast, employee):
    submit_case(client, cast.manager, employee)
    client.force_login(cast.governance)
    r = client.get("/", follow=True)
    assert r.redirect_chain[-1][0] == reverse("cases:overview")
    assert "fewer than 5" in r.content.decode()
    client.force_login(cast.outsider)
    assert client.get(reverse("cases:overview")).status_code == 403


def test_viewflow_generic_process_and_task_views_are_not_mounted(client, cast, employee):
    """They list every process to anyone with the view permission and would complete
    tasks outside the services, so no URL reaches them."""
    case = submit_case(client, cast.manager, employee)
    client.force_login(cast.other_manager)
    for url in (
        "/workflow/",
        "/referral/",
        f"/cases/referral/{case.process_id}/",
        f"/referral/{case.process_id}/triage/1/execute/",
        "/cases/flows/",
        "/cases/tasks/",
        "/cases/queue/",
        "/cases/archive/",
    ):
        assert client.get(url).status_code == 404, url
