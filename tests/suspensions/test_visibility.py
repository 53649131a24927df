"""Who sees the register: HR and decision-makers independent of the case, on
the case page (the card and the path) and in the API's case detail; the
referring manager and the panel's members see nothing of it, not even that
it exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from panels.services import panel_declare

from ..api.steps import Api, case_url, ok
from ..workflow.steps import Story
from .world import REASON, record

pytestmark = pytest.mark.django_db

CARD = "Suspension or restriction"
LABELS = ("Record a suspension or restriction", "Review the suspension", "Lift the suspension")


def _page(client: Client, user: Any, case_id: int) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_hr_and_an_independent_decision_maker_see_the_card_with_its_reason(
    client: Client, story: Story
) -> None:
    case = story.informal()
    record(story, case)
    hr_page = _page(client, story.cast.hr, case.pk)
    assert CARD in hr_page
    assert "asthma" in hr_page
    assert "Review the suspension" in hr_page  # HR's actions
    dm_page = _page(client, story.cast.director, case.pk)
    assert CARD in dm_page
    assert "Review the suspension" not in dm_page  # the decision-maker reads, HR records


def test_the_referring_manager_sees_nothing_of_it(client: Client, story: Story) -> None:
    case = story.informal()
    record(story, case)
    page = _page(client, story.cast.manager, case.pk)
    assert CARD not in page
    assert "asthma" not in page
    assert "suspension" not in page.lower()
    api = Api.as_user(story.cast.manager)
    body = ok(api.get(case_url(case.pk)))
    assert body["suspension"] is None
    assert not [a for a in body["available_actions"] if "suspension" in a]
    # The API's path is HR's and decision-makers' (the page's is filtered, above).
    assert api.get(f"{case_url(case.pk)}path/").status_code == 403


def test_a_panel_member_sees_nothing_of_it(client: Client, story: Story) -> None:
    case = story.just_convened()
    record(story, case)
    member = story.cast.panel_a
    panel_declare(case_id=case.pk, actor=member, no_conflict=True)
    page = _page(client, member, case.pk)
    assert CARD not in page
    assert "suspension" not in page.lower()
    assert ok(Api.as_user(member).get(case_url(case.pk)))["suspension"] is None


def test_the_api_gives_the_active_measure_to_hr(story: Story) -> None:
    case = story.informal()
    measure = record(story, case, kind="restriction")
    body = ok(Api.as_user(story.cast.hr).get(case_url(case.pk)))
    assert body["suspension"] == {
        "kind": "restriction",
        "started_on": measure.started_on.isoformat(),
        "review_due_on": str(measure.review_due_on),
    }
    assert REASON not in str(body)


def test_the_path_keeps_the_register_s_events_from_those_it_is_hidden_from(story: Story) -> None:
    from workflow.selectors import case_get_for

    case = story.informal()
    record(story, case)
    hr_actions = {e.action for e in case_get_for(story.cast.hr, case.pk).path}
    manager_actions = {e.action for e in case_get_for(story.cast.manager, case.pk).path}
    assert "record_suspension" in hr_actions
    assert "record_suspension" not in manager_actions
    assert manager_actions == hr_actions - {"record_suspension"}
