"""A panel meeting as an iCalendar (RFC 5545) invitation, for calendars to file.

One calendar event per meeting: the same ``UID`` in every message about it
and a ``SEQUENCE`` that goes up with each change, so a member's calendar
replaces the copy it holds. An invitation or update is ``METHOD:REQUEST``;
a cancellation (of the meeting, or to a member who stood down) is
``METHOD:CANCEL`` with ``STATUS:CANCELLED``. Times are in UTC.

A calendar is not confidential (it syncs to phones, is shared with
assistants, shows in free/busy views), so the invitation says no more than
the emails do: the case reference, when, where and a link to the case page.
Never the employee's name, the concern or anything of the panel's work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.types import Actor

from .models import PanelMeeting

PRODID = "-//Fair Treatment Panel//Panel meetings//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def meeting_summary(meeting: PanelMeeting) -> str:
    return f"Fair Treatment Panel meeting: {meeting.case.reference}"


def meeting_calendar(
    meeting: PanelMeeting,
    *,
    attendees: Sequence[Actor],
    cancel: bool = False,
    chair_id: int | None = None,
) -> bytes:
    """The meeting as it now is, as an invitation to ``attendees``.

    ``cancel``: a cancellation even though the meeting stands (to a member
    who stood down); a cancelled meeting is always one.
    """
    method = CANCEL if cancel or meeting.cancelled else REQUEST
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC).replace(microsecond=0))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC).replace(microsecond=0))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC).replace(microsecond=0))
    event.add("summary", meeting_summary(meeting))
    event.add("location", meeting.place or meeting.video_link)
    event.add("description", _description(meeting))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("organizer", _organizer(meeting))
    for person in attendees:
        if person.email:
            event.add("attendee", _attendee(person, chair=person.pk == chair_id))
    cal.add_component(event)
    return bytes(cal.to_ical())


def case_url(meeting: PanelMeeting) -> str:
    return f"{settings.FTP_SITE_URL}{reverse('cases:detail', args=[meeting.case_id])}"


def _description(meeting: PanelMeeting) -> str:
    lines = [f"Fair Treatment Panel meeting on case {meeting.case.reference}."]
    if meeting.place and meeting.video_link:
        lines.append(f"Join by video: {meeting.video_link}")
    lines.append(f"The case (sign in to read it): {case_url(meeting)}")
    return "\n".join(lines)


def _organizer(meeting: PanelMeeting) -> vCalAddress:
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(_trust_name(meeting))
    return organizer


def _trust_name(meeting: PanelMeeting) -> str:
    trust = getattr(meeting.case, "trust", None)
    return getattr(trust, "name", "") or "Fair Treatment Panel"


def _attendee(person: Actor, *, chair: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.get_full_name() or person.username)
    address.params["role"] = vText("CHAIR" if chair else "REQ-PARTICIPANT")
    address.params["partstat"] = vText("NEEDS-ACTION")
    address.params["rsvp"] = vText("FALSE")
    return address
