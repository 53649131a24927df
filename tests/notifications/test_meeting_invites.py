"""Panel meetings reach each member as an email with a calendar invitation.

Each sitting member gets one email per version of the meeting (scheduled,
changed, cancelled), with an RFC 5545 ``invite.ics`` that a calendar files
under one UID and orders by SEQUENCE; the .ics is built when the email is
sent, from the meeting as it is then. The calendar is not confidential:
the invitation never names the employee or the concern.
"""

from __future__ import annotations

import datetime as dt
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from notifications.services import meeting_notify, notification_preference_set, outbox_sweep
from panels.events import MeetingChange, MeetingChanged
from panels.meetings import meeting_cancel, meeting_change, meeting_schedule
from panels.models import PanelMeeting
from panels.services import panel_declare, panel_members_replace
from workflow.models import Case

from ..workflow.conftest import extras
from ..workflow.steps import Story
from .outbox import drain

__all__ = ["extras"]

pytestmark = pytest.mark.django_db

PLACE = "Board room 2, Northbridge General"


def _soon(days: int = 3, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _schedule(case: Case, hr: Any, **kw: Any) -> PanelMeeting:
    starts = kw.pop("starts_at", _soon())
    return meeting_schedule(
        case_id=case.pk,
        actor=hr,
        starts_at=starts,
        ends_at=kw.pop("ends_at", starts + dt.timedelta(hours=1)),
        place=kw.pop("place", PLACE),
        video_link=kw.pop("video_link", ""),
    )


def _convened(story: Story) -> Case:
    """A convened case, its earlier notices (convened, moved on) already sent."""
    case = story.just_convened()
    drain()
    mail.outbox.clear()
    return case


def _invited(case: Case, members: list[Any]) -> set[str]:
    """The addresses invited: the sitting members and the case's HR owner."""
    owner = Case.objects.select_related("owner").get(pk=case.pk).owner
    return {u.email for u in members} | ({owner.email} if owner is not None else set())


def _ics_part(message: Any) -> Message:
    parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part: Message = parts[0]
    return part


def _calendar(message: Any) -> Calendar:
    part = _ics_part(message)
    assert part.get_filename() == "invite.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def _event(cal: Calendar) -> Any:
    [event] = cal.walk("VEVENT")
    return event


def _utc(value: Any) -> dt.datetime:
    when = value.dt
    assert when.tzinfo is not None, when
    assert when.utcoffset() == dt.timedelta(0), when
    assert isinstance(when, dt.datetime)
    return when


def test_scheduling_sends_each_member_one_email_with_a_parseable_invitation(
    story: Story, people: Any
) -> None:
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    sent = drain()
    assert sent > 0
    by_address = {m.to[0]: m for m in mail.outbox}
    members = _invited(case, people.panel)
    assert people.hr.email in members  # HR triaged the case: its owner
    assert set(by_address) == members  # nobody else, and each once
    assert len(mail.outbox) == len(members)
    for address, message in by_address.items():
        part = _ics_part(message)
        assert part.get_param("method") == "REQUEST"
        assert part.get_content_charset() == "utf-8"
        cal = _calendar(message)
        assert str(cal["method"]) == "REQUEST"
        event = _event(cal)
        assert str(event["uid"]) == meeting.uid
        assert int(event["sequence"]) == 0
        assert _utc(event["dtstart"]) == meeting.starts_at
        assert _utc(event["dtend"]) == meeting.ends_at
        assert _utc(event["dtstamp"])
        assert str(event["summary"]) == f"Fair Treatment Panel meeting: {case.reference}"
        assert str(event["location"]) == PLACE
        assert reverse("cases:detail", args=[case.pk]) in str(event["description"])
        assert str(event["organizer"]).startswith("mailto:")
        attendees = {str(a).removeprefix("mailto:") for a in event["attendee"]}
        assert attendees == members
        assert address in attendees
        # The calendar is not confidential: no name, no concern.
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        body = f"{message.subject}{message.body}{payload.decode()}"
        assert story.employee.name not in body
        assert story.employee.staff_number not in body
        assert case.summary not in body


def test_a_change_sends_an_update_with_the_same_uid_and_the_next_sequence(
    story: Story, people: Any
) -> None:
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    drain()
    mail.outbox.clear()
    later = _soon(days=4, hour=14)
    meeting_change(
        meeting_id=meeting.pk,
        actor=people.hr,
        starts_at=later,
        ends_at=later + dt.timedelta(minutes=90),
        place="",
        video_link="https://meet.example.nhs.uk/panel-42",
    )
    drain()
    assert len(mail.outbox) == len(_invited(case, people.panel))
    for message in mail.outbox:
        assert "moved" in message.subject
        cal = _calendar(message)
        assert str(cal["method"]) == "REQUEST"
        event = _event(cal)
        assert str(event["uid"]) == meeting.uid
        assert int(event["sequence"]) == 1
        assert _utc(event["dtstart"]) == later
        assert str(event["location"]) == "https://meet.example.nhs.uk/panel-42"
    assert Notification.objects.filter(kind=Kind.MEETING_UPDATE).count() == len(
        _invited(case, people.panel)
    )


def test_a_cancellation_sends_method_cancel(story: Story, people: Any) -> None:
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    drain()
    mail.outbox.clear()
    meeting_cancel(meeting_id=meeting.pk, actor=people.hr, reason="The chair is unwell.")
    drain()
    assert {m.to[0] for m in mail.outbox} == _invited(case, people.panel)
    for message in mail.outbox:
        assert _ics_part(message).get_param("method") == "CANCEL"
        cal = _calendar(message)
        assert str(cal["method"]) == "CANCEL"
        event = _event(cal)
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == meeting.uid
        assert int(event["sequence"]) == 1
        # The reason is on record, not in members' mailboxes.
        assert "unwell" not in message.body + str(cal.to_ical())


def test_exactly_once_a_second_sweep_or_a_repeated_event_sends_nothing_new(
    story: Story, people: Any, settings: Any
) -> None:
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    drain()
    count = len(mail.outbox)
    rows = Notification.objects.count(), Delivery.objects.count()
    # The worker's second look, the outbox sweep, and the event told again.
    assert drain() == 0
    settings.FTP_OUTBOX_GRACE_SECONDS = 0
    outbox_sweep()
    drain()
    meeting_notify(MeetingChanged(meeting=meeting, actor=people.hr, change=MeetingChange.SCHEDULED))
    drain()
    assert len(mail.outbox) == count
    assert (Notification.objects.count(), Delivery.objects.count()) == rows
    sent = Delivery.objects.filter(
        channel="email", status=DeliveryStatus.SENT, notification__kind=Kind.MEETING_INVITE
    ).count()
    assert sent == len(_invited(case, people.panel))


def test_the_invitation_is_built_when_sent_so_a_late_send_is_never_stale(
    story: Story, people: Any
) -> None:
    """Scheduled and moved before the worker ran: the first email already
    carries the moved time and its sequence."""
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    later = _soon(days=5)
    meeting_change(
        meeting_id=meeting.pk,
        actor=people.hr,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
        place=PLACE,
    )
    drain()
    for message in mail.outbox:
        event = _event(_calendar(message))
        assert _utc(event["dtstart"]) == later
        assert int(event["sequence"]) == 1


def test_a_member_who_stands_down_gets_a_cancellation_and_their_replacement_the_invitation(
    story: Story, people: Any, extras: Any
) -> None:
    extras.panel_d.email = "dev.panel@trust.example"
    extras.panel_d.save(update_fields=["email"])
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    drain()
    mail.outbox.clear()
    panel_declare(case_id=case.pk, actor=people.panel_c, no_conflict=False, reason="My cousin.")
    panel_members_replace(case_id=case.pk, actor=people.hr, members=[extras.panel_d.pk])
    drain()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {people.panel_c.email, extras.panel_d.email}
    gone = _calendar(by_address[people.panel_c.email])
    assert str(gone["method"]) == "CANCEL"
    assert str(_event(gone)["uid"]) == meeting.uid
    joined = _event(_calendar(by_address[extras.panel_d.email]))
    assert str(joined["uid"]) == meeting.uid
    attendees = {str(a).removeprefix("mailto:") for a in joined["attendee"]}
    assert attendees == _invited(case, [people.panel_a, people.panel_b, extras.panel_d])
    # A later change reaches the replacement, not the member who stood down.
    mail.outbox.clear()
    later = _soon(days=6)
    meeting_change(
        meeting_id=meeting.pk,
        actor=people.hr,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=1),
        place=PLACE,
    )
    drain()
    assert {m.to[0] for m in mail.outbox} == _invited(
        case, [people.panel_a, people.panel_b, extras.panel_d]
    )


def test_a_member_on_the_daily_digest_still_gets_the_invitation_at_once(
    story: Story, people: Any
) -> None:
    notification_preference_set(user=people.panel_b, email_mode="digest")
    case = _convened(story)
    _schedule(case, people.hr)
    drain()
    assert people.panel_b.email in {m.to[0] for m in mail.outbox}


def test_the_in_app_notice_links_to_the_members_invitation(
    story: Story, people: Any, client: Client
) -> None:
    case = _convened(story)
    meeting = _schedule(case, people.hr)
    drain()
    client.force_login(people.panel_b)
    page = client.get(reverse("notifications:list")).content.decode()
    url = reverse("cases:meeting_invite", args=[case.pk, meeting.pk])
    assert url in page
    assert f"{case.reference}: you are invited to a panel meeting on" in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = _event(Calendar.from_ical(response.content))
    assert str(event["uid"]) == meeting.uid
    # Anyone who may not see the case: 404.
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    client.force_login(people.other_manager)
    assert client.get(url).status_code == 404
