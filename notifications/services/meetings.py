"""Telling a panel's members about its meetings (``panels.meetings``).

Subscribed to ``panels.events.MeetingChanged`` and, for seats that change
under a scheduled meeting, to ``workflow.events.CaseActed``; both run in
the publisher's transaction, so the notices commit with the change.

One notification per person per version of a meeting: the event key names
the meeting and its ``sequence``, so recording the same change twice is a
no-op (``notifications_record_many``) and each change reaches each member
once. The notification keeps only the meeting's id and the time it was
told (for the in-app line); the email and its .ics are built when sent, from
the meeting as it then is (``channels.email``), so a retry never sends a
time that has since moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.types import Actor
from panels.events import MeetingChange, MeetingChanged
from panels.meetings import meeting_invitees
from panels.models import MeetingStatus, PanelMeeting
from workflow.events import CaseActed
from workflow.rules import Action

from ..models import Kind
from .batch import NoticeEvent, notifications_record_many

_KIND = {
    MeetingChange.SCHEDULED: Kind.MEETING_INVITE,
    MeetingChange.CHANGED: Kind.MEETING_UPDATE,
    MeetingChange.CANCELLED: Kind.MEETING_CANCELLED,
}


def meeting_items(meeting: PanelMeeting, *, removed: bool = False) -> list[dict[str, Any]]:
    """What a meeting notice keeps: which meeting, which version, and the
    start it announced (UTC), for the in-app line."""
    item: dict[str, Any] = {
        "meeting": meeting.pk,
        "sequence": meeting.sequence,
        "starts_at": meeting.starts_at.astimezone(dt.UTC).isoformat(),
    }
    if removed:
        item["removed"] = True
    return [item]


def meeting_notify(event: MeetingChanged) -> None:
    """Each invitee hears of the meeting's schedule, change or cancellation once."""
    meeting = event.meeting
    kind = _KIND[event.change]
    notifications_record_many(
        events=[_notice(kind, f"{kind}:{meeting.pk}:s{meeting.sequence}", meeting, None)]
    )


def meeting_seats_notify(event: CaseActed) -> None:
    """Seats changed under scheduled meetings: a replacement member is sent
    the current invitation to each meeting still to come; a member who stood
    down (declared a conflict) is sent its cancellation."""
    if event.action == Action.REPLACE_MEMBERS:
        ids = event.payload.get("members") or []
        removed = False
    elif event.action == Action.DECLARE and event.payload.get("no_conflict") is False:
        ids = [event.actor.pk]
        removed = True
    else:
        return
    meetings = list(
        PanelMeeting.objects.filter(
            case=event.case, status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now()
        ).select_related("case", "panel")
    )
    if not meetings or not ids:
        return
    people = list(get_user_model().objects.filter(pk__in=ids))
    told = []
    for meeting in meetings:
        if removed:
            key = f"meeting_removed:{meeting.pk}:s{meeting.sequence}"
            told.append(_notice(Kind.MEETING_CANCELLED, key, meeting, people, removed=True))
        else:
            key = f"{Kind.MEETING_INVITE}:{meeting.pk}:s{meeting.sequence}"
            told.append(_notice(Kind.MEETING_INVITE, key, meeting, people))
    notifications_record_many(events=told)


def _notice(
    kind: str,
    key: str,
    meeting: PanelMeeting,
    recipients: Sequence[Actor] | None,
    *,
    removed: bool = False,
) -> NoticeEvent:
    return NoticeEvent(
        event_key=key,
        kind=kind,
        recipients=recipients if recipients is not None else meeting_invitees(meeting),
        case_id=meeting.case_id,
        items=meeting_items(meeting, removed=removed),
    )
