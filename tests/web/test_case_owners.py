"""The case owner on the pages, the HR lead's owner pages, and the away page:
a delegate set on the page sees the person's task in their inbox "for" them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from workflow.models import Case
from workflow.services import referral_submit

from ..factories import EmployeeFactory, make_user, referral_kwargs
from ..workflow.steps import Story, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(cast: Any) -> Any:
    return make_user("lena.lead", Role.HR, Role.HR_LEAD)


def as_user(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_case_list_shows_the_owner_and_filters_my_cases_as_owner(
    story: Story, cast: Any, lead: Any
) -> None:
    owned = story.informal()
    # Not triaged yet: no owner.
    waiting = referral_submit(actor=cast.manager, **referral_kwargs(EmployeeFactory.create()))
    page = as_user(cast.hr).get(reverse("cases:list")).content.decode()
    assert f'data-testid="owner-{owned.pk}">hana.hr<' in page
    assert f'data-testid="owner-{waiting.pk}">Not assigned<' in page
    mine = as_user(cast.hr).get(reverse("cases:list") + "?owner=me").content.decode()
    assert f"owner-{owned.pk}" in mine
    assert f"owner-{waiting.pk}" not in mine
    assert as_user(cast.hr).get(reverse("cases:list") + "?owner=them").status_code == 400


def test_the_triage_form_names_another_owner(story: Story, cast: Any) -> None:
    other = make_user("hugh.hr", Role.HR)
    case = story.submitted()
    url = reverse("cases:action", args=[case.pk, "triage"])
    response = as_user(cast.hr).post(
        url, {"version": case.version, "route": "informal", "owner": other.pk}
    )
    assert response.status_code == 302
    assert fresh(case).owner == other


def test_an_hr_lead_changes_one_owner_on_the_case_page(story: Story, cast: Any, lead: Any) -> None:
    case = story.informal()
    page = as_user(lead).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="change-owner"' in page
    assert 'data-testid="change-owner"' not in (
        as_user(cast.hr).get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    url = reverse("cases:case_owner", args=[case.pk])
    assert as_user(cast.hr).get(url).status_code == 403
    assert as_user(lead).get(url).status_code == 200
    bad = as_user(lead).post(url, {"new_owner": cast.hr.pk, "reason": ""})
    assert bad.status_code == 400
    done = as_user(lead).post(url, {"new_owner": lead.pk, "reason": "Caseload."})
    assert done.status_code == 302
    assert fresh(case).owner == lead


def test_an_hr_lead_hands_over_a_leavers_open_cases_after_confirming(
    story: Story, cast: Any, lead: Any
) -> None:
    cases = [story.informal(), story.informal()]
    url = reverse("cases:owners")
    listed = as_user(lead).get(url).content.decode()
    assert f'data-testid="open-{cast.hr.pk}">2<' in listed
    form = {"from_user": cast.hr.pk, "to_user": lead.pk, "reason": "Left the trust."}
    asked = as_user(lead).post(url, form)
    assert asked.status_code == 200
    assert "2 open cases owned by hana.hr will move to lena.lead" in asked.content.decode()
    assert Case.objects.filter(owner=lead).count() == 0
    done = as_user(lead).post(url, {**form, "confirm": "True"})
    assert done.status_code == 302
    assert {c.pk for c in Case.objects.filter(owner=lead)} == {c.pk for c in cases}
    assert AuditEvent.objects.filter(action="owner_reassigned").count() == 2
    assert as_user(cast.hr).get(url).status_code == 403


def test_a_delegation_set_on_the_away_page_puts_the_task_in_the_delegates_inbox(
    story: Story, cast: Any
) -> None:
    cover = make_user("colin.cover", Role.MANAGER)
    case = story.informal()
    today = timezone.localdate()
    response = as_user(cast.manager).post(
        reverse("cases:away"),
        {
            "delegate": "colin.cover",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=3)).isoformat(),
            "reason": "Leave",
        },
    )
    assert response.status_code == 302
    assert "colin.cover" in as_user(cast.manager).get(reverse("cases:away")).content.decode()
    inbox = as_user(cover).get(reverse("cases:inbox")).content.decode()
    assert f'data-testid="for-{case.pk}">for maya.manager<' in inbox
    # Refusals are messages on the form, not 500s.
    again = as_user(cast.manager).post(
        reverse("cases:away"),
        {"delegate": "maya.manager", "starts_on": "2026-01-01", "ends_on": "2026-01-01"},
    )
    assert again.status_code == 400
    assert "yourself" in again.content.decode()
