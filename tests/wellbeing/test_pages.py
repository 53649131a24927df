"""The wellbeing card on the case page (HR and the named contact only), the
two actions through the web and the API (bad input: a clear 400 that keeps
what was typed), and triage naming the contact through both doors."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from wellbeing.models import CheckIn
from workflow.services import case_triage
from workflow.services.contact import NOT_REFERRER

from ..workflow.steps import PANEL_REASON, Story, fresh

pytestmark = pytest.mark.django_db

NOTES = "Sleeping badly since the referral; offered the employee assistance programme."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case_page(user: Any, case: Any) -> tuple[int, str]:
    response = _client(user).get(reverse("cases:detail", args=[case.pk]))
    return response.status_code, response.content.decode()


def _with_checkin(story: Story) -> Any:
    case = story.submitted()
    case_triage(
        case_id=case.pk,
        actor=story.cast.hr,
        route="panel",
        reason=PANEL_REASON,
        wellbeing_contact=story.cast.director.pk,
    )
    response = _client(story.cast.director).post(
        reverse("cases:action", args=[case.pk, "record_checkin"]),
        {
            "version": fresh(case).version,
            "held_on": dt.date.today().strftime("%d/%m/%Y"),
            "how": "in_person",
            "declined": "no",
            "notes": NOTES,
        },
    )
    assert response.status_code == 302
    return fresh(case)


def test_hr_and_the_contact_see_the_card_with_its_checkin_and_signposting(story: Story) -> None:
    case = _with_checkin(story)
    for person in (story.cast.hr, story.cast.director):
        status, body = _case_page(person, case)
        assert status == 200
        assert 'data-testid="case-wellbeing"' in body
        assert "dina.director" in body  # the contact, by name
        assert NOTES in body
        assert "Employee assistance programme" in body  # the trust's signposting


def test_nobody_else_sees_the_card_or_the_notes(story: Story, extras: Any) -> None:
    case = _with_checkin(story)
    for person in (story.cast.manager, story.cast.panel_a, extras.manager_dm):
        _status, body = _case_page(person, case)
        assert 'data-testid="case-wellbeing"' not in body
        assert NOTES not in body


def test_a_bad_checkin_is_shown_again_with_its_message_and_what_was_typed(
    story: Story,
) -> None:
    case = story.informal()
    response = _client(story.cast.hr).post(
        reverse("cases:action", args=[case.pk, "record_checkin"]),
        {
            "version": case.version,
            "held_on": "31/12/2099",
            "how": "phone",
            "declined": "no",
            "notes": NOTES,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be in the future" in body
    assert "Sleeping badly since the referral" in body
    assert not CheckIn.objects.exists()


def test_web_triage_refuses_the_referring_manager_as_contact(story: Story, extras: Any) -> None:
    case = story.submitted(manager=extras.manager_hr)
    response = _client(story.cast.hr).post(
        reverse("cases:action", args=[case.pk, "triage"]),
        {"version": case.version, "route": "informal", "wellbeing_contact": extras.manager_hr.pk},
    )
    assert response.status_code == 400
    assert html.escape(NOT_REFERRER) in response.content.decode()
    assert fresh(case).wellbeing_contact_id is None


def test_api_triage_names_the_contact_and_refuses_the_referrer(story: Story, extras: Any) -> None:
    api = APIClient()
    api.force_authenticate(story.cast.hr)
    case = story.submitted(manager=extras.manager_hr)
    url = f"/api/v1/referrals/{case.pk}/actions/triage/"
    refused = api.post(
        url, {"route": "informal", "wellbeing_contact": extras.manager_hr.pk}, format="json"
    )
    assert refused.status_code == 400
    assert "wellbeing_contact" in refused.json()["errors"]
    done = api.post(
        url, {"route": "informal", "wellbeing_contact": story.cast.director.pk}, format="json"
    )
    assert done.status_code == 200
    assert fresh(case).wellbeing_contact_id == story.cast.director.pk


def test_api_records_a_checkin_and_refuses_bad_input(story: Story) -> None:
    case = story.informal()
    api = APIClient()
    api.force_authenticate(story.cast.hr)
    url = f"/api/v1/referrals/{case.pk}/actions/record_checkin/"
    bad = api.post(url, {"held_on": "not a date", "how": "owl"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"held_on", "how"}
    good = api.post(
        url,
        {"held_on": dt.date.today().isoformat(), "how": "video", "notes": "Line one.\nLine two."},
        format="json",
    )
    assert good.status_code == 200
    assert CheckIn.objects.get(case=case).notes == "Line one.\nLine two."
    manager = APIClient()
    manager.force_authenticate(story.cast.manager)
    assert (
        manager.post(
            url, {"held_on": dt.date.today().isoformat(), "how": "video"}, format="json"
        ).status_code
        == 403
    )


def test_the_checkins_page_is_for_hr_and_the_contact_and_is_paged(story: Story) -> None:
    case = _with_checkin(story)
    for n in range(30):
        CheckIn.objects.create(
            case=case,
            held_on=dt.date.today(),
            by=story.cast.hr,
            how="email",
            notes=f"Routine email {n}.",
            recorded_at=case.submitted_at,
        )
    url = reverse("cases:checkins", args=[case.pk])
    for person in (story.cast.hr, story.cast.director):
        response = _client(person).get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("<li>") >= 25
        assert 'rel="next"' in body
    assert _client(story.cast.manager).get(url).status_code == 403
    assert _client(story.cast.outsider).get(url).status_code == 404
    _status, body = _case_page(story.cast.hr, case)
    assert 'data-testid="wellbeing-all"' in body
