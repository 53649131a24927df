"""Who sees a formal process: HR, decision-makers and the people it names
(``access.FormalVisible``); the named see the case they are named on
(``access.CaseVisible`` through ``workflow.named_people``) but never the
ethnic category, and a delegate borrows none of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from workflow import access
from workflow.models import Case

from ..api.steps import Api, case_url
from ..web.pages import page
from ..workflow.steps import Story
from .conftest import Staff
from .steps import with_investigator

pytestmark = pytest.mark.django_db


def _agree(rule: Any, user: Any, case: Case) -> bool:
    allowed = rule.allows(user, case)
    listed = Case.objects.filter(rule.q(user)).filter(pk=case.pk).exists()
    assert allowed == listed, (rule.__name__, user.username)
    return bool(allowed)


def test_the_investigator_sees_the_case_once_named_and_not_before(
    formal_case: Case, story: Story, staff: Staff, client: Client
) -> None:
    investigator = staff.investigator
    assert not _agree(access.CaseVisible, investigator, formal_case)
    assert page(client, investigator, formal_case).status_code == 404
    case = with_investigator(formal_case, story.cast.hr, investigator)
    for rule in (access.CaseVisible, access.DetailsVisible, access.FormalVisible):
        assert _agree(rule, investigator, case)
    assert not access.EthnicityVisible.allows(investigator, case)
    response = page(client, investigator, case)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="formal-process"' in body
    assert case.get_employee_ethnic_category_display() not in body
    # In their case list too.
    listed = client.get(reverse("cases:list")).content.decode()
    assert case.reference in listed


def test_the_referrer_and_the_panel_see_the_stage_not_the_process(
    formal_case: Case, story: Story, staff: Staff, client: Client
) -> None:
    case = with_investigator(formal_case, story.cast.hr, staff.investigator)
    for person in (story.cast.manager, story.cast.panel_a):
        assert _agree(access.CaseVisible, person, case)
        assert not _agree(access.FormalVisible, person, case)
        assert 'data-testid="formal-process"' not in page(client, person, case).content.decode()
    for person in (story.cast.hr, story.cast.director):
        assert _agree(access.FormalVisible, person, case)


def test_the_api_detail_carries_the_process_for_those_allowed(
    formal_case: Case, story: Story, staff: Staff
) -> None:
    case = with_investigator(formal_case, story.cast.hr, staff.investigator)
    hr = Api.as_user(story.cast.hr).get(case_url(case.pk)).json()
    assert hr["formal"]["stage"] == "investigation"
    assert hr["formal"]["investigator"]["id"] == staff.investigator.pk
    [step] = hr["formal"]["steps"]
    assert step["step"] == "investigate"
    assert step["due_on"] is not None
    assert step["overdue"] is False
    named = Api.as_user(staff.investigator).get(case_url(case.pk)).json()
    assert named["formal"]["investigator"]["id"] == staff.investigator.pk
    manager = Api.as_user(story.cast.manager).get(case_url(case.pk)).json()
    assert manager["formal"] is None
