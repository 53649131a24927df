"""The employee's right to be accompanied at each panel meeting: HR records
that they were told of it and who comes with them; the meeting card and the
chair's decision form show it; the audit log keeps flags, not the name; a
change of companion alone sends the members no calendar update."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ValidationFailed
from notifications.models import Kind, Notification
from panels.meetings import meeting_change, meeting_schedule
from panels.models import PanelMeeting

from ..workflow.steps import Story, refused

pytestmark = pytest.mark.django_db

NAME = "Sam Okafor"


def _when(days: int = 3) -> dict[str, Any]:
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=1), "place": "Room 4"}


def _schedule(story: Story, case: Any, **kw: Any) -> PanelMeeting:
    return meeting_schedule(case_id=case.pk, actor=story.cast.hr, **_when(), **kw)


def test_the_companion_is_recorded_and_audited_as_flags_only(story: Story) -> None:
    case = story.convened()
    meeting = _schedule(
        story,
        case,
        accompaniment_told=True,
        companion_name=f"  {NAME} ",
        companion_role="colleague",
    )
    meeting.refresh_from_db()
    assert (meeting.accompaniment_told, meeting.companion_name, meeting.companion_role) == (
        True,
        NAME,
        "colleague",
    )
    event = AuditEvent.objects.filter(case=case, action="meeting_scheduled").get()
    assert event.payload["accompaniment_told"] is True
    assert event.payload["companion_named"] is True
    assert event.payload["companion_role"] == "colleague"
    assert NAME not in str(event.payload)


def test_nothing_said_is_stored_as_unknown(story: Story) -> None:
    meeting = _schedule(story, story.convened())
    meeting.refresh_from_db()
    assert (meeting.accompaniment_told, meeting.companion_name, meeting.companion_role) == (
        None,
        None,
        None,
    )


def test_a_role_without_a_name_and_an_unknown_role_are_refused(story: Story) -> None:
    case = story.convened()
    error = refused(
        ValidationFailed,
        meeting_schedule,
        case_id=case.pk,
        actor=story.cast.hr,
        **_when(),
        companion_role="union_rep",
    )
    assert set(error.errors) == {"companion_name"}  # type: ignore[attr-defined]
    error = refused(
        ValidationFailed,
        meeting_schedule,
        case_id=case.pk,
        actor=story.cast.hr,
        **_when(),
        companion_name=NAME,
        companion_role="solicitor",
    )
    assert set(error.errors) == {"companion_role"}  # type: ignore[attr-defined]


def test_a_change_of_companion_alone_sends_no_calendar_update(story: Story) -> None:
    case = story.convened()
    meeting = _schedule(story, case)
    before = Notification.objects.filter(kind=Kind.MEETING_UPDATE).count()
    changed = meeting_change(
        meeting_id=meeting.pk,
        actor=story.cast.hr,
        **_when(),
        accompaniment_told=True,
        companion_name=NAME,
        companion_role="union_rep",
    )
    assert changed.sequence == 0
    assert Notification.objects.filter(kind=Kind.MEETING_UPDATE).count() == before
    assert changed.companion_name == NAME
    # The same again changes nothing: refused as such.
    error = refused(
        ValidationFailed,
        meeting_change,
        meeting_id=meeting.pk,
        actor=story.cast.hr,
        **_when(),
        accompaniment_told=True,
        companion_name=NAME,
        companion_role="union_rep",
    )
    assert "__all__" in error.errors  # type: ignore[attr-defined]


def test_the_meeting_card_and_the_chairs_decision_form_show_the_companion(story: Story) -> None:
    case = story.convened()
    _schedule(story, case, accompaniment_told=True, companion_name=NAME, companion_role="union_rep")
    hr = Client()
    hr.force_login(story.cast.hr)
    page = hr.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "the employee was told" in page
    assert f"Companion: {NAME} (trade union representative)" in page
    chair = Client()
    chair.force_login(story.cast.panel_a)
    form = chair.get(reverse("cases:action", args=[case.pk, "decide"])).content.decode()
    assert f"Companion: {NAME}" in form


def test_the_web_form_records_the_companion(story: Story) -> None:
    case = story.convened()
    hr = Client()
    hr.force_login(story.cast.hr)
    when = _when()
    response = hr.post(
        reverse("cases:meeting_schedule", args=[case.pk]),
        {
            "starts_at": timezone.localtime(when["starts_at"]).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(when["ends_at"]).strftime("%Y-%m-%dT%H:%M"),
            "place": "Room 4",
            "accompaniment_told": "yes",
            "companion_name": NAME,
            "companion_role": "colleague",
        },
    )
    assert response.status_code == 302
    meeting = PanelMeeting.objects.get(case=case)
    assert (meeting.accompaniment_told, meeting.companion_name) == (True, NAME)
