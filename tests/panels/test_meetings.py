"""Panel meetings: HR schedules, changes and cancels them while the panel
considers the case; HR or the chair records who attended; HR attaches the
minutes to the case file. Every refusal is a clear error that writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casefile.models import Document
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from panels.meetings import (
    attendance_record,
    meeting_cancel,
    meeting_change,
    meeting_schedule,
    minutes_attach,
    next_meeting,
)
from panels.models import MeetingAttendance, MeetingStatus, PanelMeeting
from records.retention import case_destroy
from workflow.models import Case
from workflow.services import case_signoff

from ..formal.steps import concluded
from ..records.world import LATER, at
from ..workflow.steps import Story, refused

pytestmark = pytest.mark.django_db

PLACE = "Board room 2, Northbridge General"
LINK = "https://meet.example.nhs.uk/panel-42"


def _at(days: int = 3, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _when(days: int = 3, hours: float = 1, **kw: Any) -> dict[str, Any]:
    starts = _at(days)
    return {
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=hours),
        "place": PLACE,
        "video_link": "",
        **kw,
    }


def _schedule(case: Case, hr: Any, **kw: Any) -> PanelMeeting:
    return meeting_schedule(case_id=case.pk, actor=hr, **_when(**kw))


def _written() -> tuple[int, int, int]:
    return (
        PanelMeeting.objects.count(),
        MeetingAttendance.objects.count(),
        AuditEvent.objects.count(),
    )


def test_hr_schedules_a_meeting_audited_with_a_lasting_uid(story: Story) -> None:
    case = story.just_convened()
    meeting = _schedule(case, story.cast.hr)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.sequence == 0
    assert "@" in meeting.uid
    assert next_meeting(case) == meeting
    event = AuditEvent.objects.filter(case=case).order_by("-at", "-id").first()
    assert event is not None
    assert event.action == "meeting_scheduled"
    assert event.actor == story.cast.hr
    assert event.payload["meeting_id"] == meeting.pk
    assert event.from_stage == event.to_stage == "panel"
    assert event.type_label == "Panel meeting scheduled"


@pytest.mark.parametrize(
    ("when", "field"),
    [
        ({"days": -1}, "starts_at"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 0}, "ends_at"),
        ({"place": ""}, "place"),
        ({"place": "", "video_link": "http://meet.example.nhs.uk/x"}, "video_link"),
        ({"video_link": "javascript:alert(1)"}, "video_link"),
        ({"video_link": "https://"}, "video_link"),
        ({"place": "x" * 201}, "place"),
    ],
)
def test_a_bad_time_or_place_is_refused_on_its_field(
    story: Story, when: dict[str, Any], field: str
) -> None:
    case = story.just_convened()
    before = _written()
    with pytest.raises(ValidationFailed) as caught:
        _schedule(case, story.cast.hr, **when)
    assert field in caught.value.errors
    assert all(m.endswith(".") for m in caught.value.errors[field])
    assert _written() == before


def test_a_video_link_alone_will_do(story: Story) -> None:
    case = story.just_convened()
    meeting = _schedule(case, story.cast.hr, place="", video_link=LINK)
    assert meeting.video_link == LINK


def test_only_hr_arranges_meetings(story: Story) -> None:
    case = story.just_convened()
    before = _written()
    for person in (story.cast.panel_a, story.cast.manager, story.cast.director):
        refused(NotAllowed, meeting_schedule, case_id=case.pk, actor=person, **_when())
    refused(NotFound, meeting_schedule, case_id=case.pk, actor=story.cast.outsider, **_when())
    assert _written() == before


def test_meetings_are_arranged_only_while_the_panel_considers_the_case(story: Story) -> None:
    before = _written()
    hr = story.cast.hr
    informal = story.informal()
    refused(Conflict, meeting_schedule, case_id=informal.pk, actor=hr, **_when())
    waiting = story.panel()  # at the panel stage, not yet convened
    refused(Conflict, meeting_schedule, case_id=waiting.pk, actor=hr, **_when())
    decided = story.signoff()  # the panel decided: its stage is over
    error = refused(Conflict, meeting_schedule, case_id=decided.pk, actor=hr, **_when())
    assert "Panel meetings are arranged while the panel considers the case" in error.message
    assert PanelMeeting.objects.count() == before[0]


def test_a_change_keeps_the_uid_and_goes_one_sequence_on(story: Story) -> None:
    case = story.just_convened()
    meeting = _schedule(case, story.cast.hr)
    moved = meeting_change(
        meeting_id=meeting.pk, actor=story.cast.hr, **_when(days=4, video_link=LINK)
    )
    assert moved.uid == meeting.uid
    assert moved.sequence == 1
    assert moved.starts_at == _at(4)
    assert moved.video_link == LINK
    # Nothing new: refused, so no empty update reaches anyone.
    with pytest.raises(ValidationFailed):
        meeting_change(meeting_id=meeting.pk, actor=story.cast.hr, **_when(days=4, video_link=LINK))
    refused(NotAllowed, meeting_change, meeting_id=meeting.pk, actor=story.cast.panel_a, **_when())
    refused(NotFound, meeting_change, meeting_id=987_654, actor=story.cast.hr, **_when())
    assert PanelMeeting.objects.get(pk=meeting.pk).sequence == 1


def test_a_cancellation_needs_a_reason_and_ends_the_meeting(story: Story) -> None:
    case = story.just_convened()
    meeting = _schedule(case, story.cast.hr)
    with pytest.raises(ValidationFailed) as caught:
        meeting_cancel(meeting_id=meeting.pk, actor=story.cast.hr, reason="  ")
    assert "reason" in caught.value.errors
    cancelled = meeting_cancel(meeting_id=meeting.pk, actor=story.cast.hr, reason="Chair unwell.")
    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.sequence == 1
    assert next_meeting(case) is None
    refused(Conflict, meeting_cancel, meeting_id=meeting.pk, actor=story.cast.hr, reason="Again.")
    refused(Conflict, meeting_change, meeting_id=meeting.pk, actor=story.cast.hr, **_when())
    event = AuditEvent.objects.filter(case=case, action="meeting_cancelled").get()
    assert event.reason == "Chair unwell."


def test_attendance_is_recorded_by_hr_or_the_chair_at_or_after_the_meeting(story: Story) -> None:
    case = story.just_convened()
    cast = story.cast
    meeting = _schedule(case, cast.hr)
    present = [cast.panel_a.pk, cast.panel_b.pk]
    refused(
        Conflict, attendance_record, meeting_id=meeting.pk, actor=cast.hr, present_member_ids=[]
    )
    with time_machine.travel(meeting.starts_at + dt.timedelta(minutes=5)):
        refused(
            NotAllowed,
            attendance_record,
            meeting_id=meeting.pk,
            actor=cast.panel_b,
            present_member_ids=present,
        )
        refused(
            ValidationFailed,
            attendance_record,
            meeting_id=meeting.pk,
            actor=cast.panel_a,
            present_member_ids=[cast.manager.pk],
        )
        rows = attendance_record(
            meeting_id=meeting.pk, actor=cast.panel_a, present_member_ids=present
        )
    assert {(r.user_id, r.attended) for r in rows} == {
        (cast.panel_a.pk, True),
        (cast.panel_b.pk, True),
        (cast.panel_c.pk, False),
    }
    # HR corrects it later; the record follows, each recording audited.
    with time_machine.travel(meeting.ends_at + dt.timedelta(days=1)):
        attendance_record(meeting_id=meeting.pk, actor=cast.hr, present_member_ids=present[:1])
    assert MeetingAttendance.objects.get(meeting=meeting, user=cast.panel_b).attended is False
    assert AuditEvent.objects.filter(case=case, action="meeting_attendance").count() == 2


def test_the_decide_page_shows_the_meeting_and_who_attended(story: Story, client: Client) -> None:
    cast = story.cast
    case = story.just_convened()
    meeting = _schedule(case, cast.hr, video_link=LINK)
    story.deliberated(case)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        attendance_record(
            meeting_id=meeting.pk, actor=cast.panel_a, present_member_ids=[cast.panel_a.pk]
        )
        client.force_login(cast.panel_a)
        page = client.get(reverse("cases:action", args=[case.pk, "decide"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="panel-meeting"' in html
    assert PLACE in html
    assert LINK in html
    local = timezone.localtime(meeting.starts_at)
    assert local.strftime("%H:%M") in html
    assert f"{cast.panel_a.get_full_name() or cast.panel_a.username}: attended" in html
    assert f"{cast.panel_c.get_full_name() or cast.panel_c.username}: did not attend" in html
    # Read-only there: no forms to change the meeting.
    assert reverse("cases:meeting_change", args=[case.pk, meeting.pk]) not in html


def test_hr_schedules_from_the_case_page_and_bad_input_is_a_400_that_says_why(
    story: Story, client: Client
) -> None:
    cast = story.cast
    case = story.just_convened()
    client.force_login(cast.hr)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    url = reverse("cases:meeting_schedule", args=[case.pk])
    assert url in page
    starts = timezone.localtime(_at(5))
    form = {
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": PLACE,
        "video_link": "",
    }
    bad = client.post(url, {**form, "place": "", "video_link": "http://insecure.example"})
    assert bad.status_code == 400
    assert "starting https://" in bad.content.decode()
    garbled = client.post(url, {**form, "starts_at": "next tuesday"})
    assert garbled.status_code == 400
    assert PanelMeeting.objects.count() == 0
    done = client.post(url, form)
    assert done.status_code == 302
    meeting = PanelMeeting.objects.get()
    assert meeting.starts_at == _at(5)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert PLACE in page
    assert reverse("cases:meeting_cancel", args=[case.pk, meeting.pk]) in page
    # Another person: refused with the reason; a case they may not see: 404.
    client.force_login(cast.panel_a)
    assert client.post(url, form).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(url, form).status_code == 404
    cancel = reverse("cases:meeting_cancel", args=[case.pk, meeting.pk])
    assert client.post(cancel, {"reason": "x"}).status_code == 404
    assert PanelMeeting.objects.get().status == MeetingStatus.SCHEDULED


def test_minutes_are_attached_to_the_case_file_for_hr_and_the_panel(story: Story) -> None:
    cast = story.cast
    case = story.just_convened()
    meeting = _schedule(case, cast.hr)
    minutes = b"Minutes of the panel meeting.\nAll members attended.\n"
    refused(
        Conflict, minutes_attach, meeting_id=meeting.pk, actor=cast.hr, name="m.txt", data=minutes
    )
    with time_machine.travel(meeting.ends_at + dt.timedelta(hours=1)):
        refused(
            NotAllowed,
            minutes_attach,
            meeting_id=meeting.pk,
            actor=cast.panel_a,
            name="m.txt",
            data=minutes,
        )
        attached = minutes_attach(
            meeting_id=meeting.pk, actor=cast.hr, name="minutes.txt", data=minutes
        )
        refused(
            Conflict,
            minutes_attach,
            meeting_id=meeting.pk,
            actor=cast.hr,
            name="again.txt",
            data=minutes,
        )
    assert attached.minutes_id is not None
    document = Document.objects.get(pk=attached.minutes_id)
    assert (document.kind, document.audience, document.case_id) == ("minutes", "panel", case.pk)
    actions = set(AuditEvent.objects.filter(case=case).values_list("action", flat=True))
    assert {"meeting_minutes"} <= actions


def test_destroying_the_case_file_takes_the_minutes_and_the_reasons_for_cancelling(
    story: Story, settings: Any, tmp_path: Any
) -> None:
    """Under the retention schedule the minutes go with the case's documents
    and a cancellation's free-text reason is blanked; when the panel met stays."""
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    cast = story.cast
    with at(2024, 6, 3):
        case = story.just_convened()
        held = _schedule(case, cast.hr)
        dropped = _schedule(case, cast.hr, days=4)
        meeting_cancel(meeting_id=dropped.pk, actor=cast.hr, reason="The chair's father is ill.")
    with time_machine.travel(held.ends_at + dt.timedelta(hours=1)):
        minutes_attach(meeting_id=held.pk, actor=cast.hr, name="minutes.txt", data=b"Minutes.\n")
        story.deliberated(case)
        story.decide(case, "formal_investigation")
        case_signoff(case_id=case.pk, actor=cast.director, approve=True, reason="Proportionate.")
        concluded(case, cast.hr)  # a formal file waits for its process to end
    with time_machine.travel(LATER):
        case_destroy(case_id=case.pk, actor=cast.hr, reference=case.reference, reason="Due.")
    held.refresh_from_db()
    dropped.refresh_from_db()
    assert held.minutes_id is None
    assert not Document.objects.filter(case=case).exists()
    assert dropped.cancel_reason == ""
    assert held.status == MeetingStatus.SCHEDULED
    assert held.starts_at.date() == dt.date(2024, 6, 6)
