"""The "Panel meeting" card of the case page and the chair's decision page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from panels.meetings import may_manage, may_record_attendance, meetings_of
from panels.models import PanelMeeting, PanelMembership
from panels.state import current_panel
from workflow.access import FileAudience, FileVisible

from ..meetings import AttendanceForm, CancelForm, MeetingForm, MinutesForm

register = template.Library()


@register.simple_tag(takes_context=True)
def panel_meetings(context: Any, read_only: bool = False) -> dict[str, Any]:
    """What the card shows this person: the case's meetings (for HR, cleared
    panel members and the decision-maker: those who read the panel's file,
    ``FileVisible`` "panel"), and the forms they may use now."""
    request = context["request"]
    view = context["view"]
    case = view._case
    user = request.user
    if not FileVisible.allows(user, case, FileAudience.PANEL):
        return {"shown": False}
    panel = current_panel(case)
    now = timezone.now()
    manage = not read_only and may_manage(user, case)
    # While the chair's decide step is open (the service checks it again).
    arranging = manage and panel is not None and "decide" in view.active_nodes
    meetings = meetings_of(case)
    # Each meeting's panel's members, every seat (one read for all the meetings).
    seats: dict[int, list[tuple[int, str]]] = {}
    for seat in (
        PanelMembership.objects.filter(panel_id__in={m.panel_id for m in meetings})
        .select_related("user")
        .order_by("id")
    ):
        name = seat.user.get_full_name() or seat.user.username
        seats.setdefault(seat.panel_id, []).append((seat.user_id, name))
    rows = [
        _row(
            meeting, seats.get(meeting.panel_id, []), user, case, now, arranging, manage, read_only
        )
        for meeting in meetings
    ]
    return {
        "shown": True,
        "rows": rows,
        "schedule_form": MeetingForm(auto_id="id_s_%s") if arranging else None,
        "read_only": read_only,
    }


def _row(
    meeting: PanelMeeting,
    members: list[tuple[int, str]],
    user: Any,
    case: Any,
    now: dt.datetime,
    arranging: bool,
    manage: bool,
    read_only: bool,
) -> dict[str, Any]:
    """One meeting as the card shows it, with the forms this person may use on it."""
    recorded = {a.user_id: a.attended for a in meeting.attendance.all()}
    started = meeting.starts_at <= now
    held = started and not meeting.cancelled
    upcoming = not meeting.cancelled and meeting.ends_at > now
    changeable = arranging and upcoming
    attendance_form = None
    if not read_only and held and may_record_attendance(user, case, meeting):
        attendance_form = AttendanceForm(
            members=members,
            initial={"present": [u for u, yes in recorded.items() if yes]},
            auto_id=f"id_m{meeting.pk}_%s",
        )
    return {
        "m": meeting,
        "attendance": [{"name": name, "attended": recorded.get(uid)} for uid, name in members],
        "recorded": bool(recorded),
        "invite_url": reverse("cases:meeting_invite", args=[case.pk, meeting.pk]),
        "minutes_url": _minutes_url(case.pk, meeting.minutes_id),
        "change_form": MeetingForm(
            initial={
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at),
                "place": meeting.place,
                "video_link": meeting.video_link,
                "accompaniment_told": ""
                if meeting.accompaniment_told is None
                else ("yes" if meeting.accompaniment_told else "no"),
                "companion_name": meeting.companion_name or "",
                "companion_role": meeting.companion_role or "",
            },
            auto_id=f"id_c{meeting.pk}_%s",
        )
        if changeable
        else None,
        "cancel_form": CancelForm(auto_id=f"id_x{meeting.pk}_%s") if changeable else None,
        "attendance_form": attendance_form,
        "minutes_form": MinutesForm(auto_id=f"id_n{meeting.pk}_%s")
        if manage and held and meeting.minutes_id is None
        else None,
    }


def _minutes_url(case_id: int, document_id: int | None) -> str:
    """The minutes' download in the case file (its first version), if the
    case file's pages are there."""
    if document_id is None:
        return ""
    try:
        return reverse("cases:document_download", args=[case_id, document_id, 1])
    except NoReverseMatch:
        return ""
