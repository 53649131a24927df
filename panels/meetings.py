"""Panel meetings: HR schedules when and where the panel meets, changes or
cancels it, records who attended and attaches the minutes.

A meeting belongs to the case's current panel and is scheduled, changed and
cancelled only while the panel stage is open (the chair's ``decide`` step),
by an HR adviser acting on a case they did not refer (``rules.hr_adviser``):
the people who convene the panel arrange its meetings. Each service runs in
one transaction on the locked case (``workflow.engine.lock_case``: a meeting
never races a replacement of members), appends one audit event and, for a
schedule, change or cancellation, announces ``MeetingChanged``; the
notifications app tells each sitting member then, with a calendar invitation
(``panels.meeting_ics``). None of these moves the flow or the case's version:
a meeting is arranged around the panel's work, and a member's open form must
not go stale because HR moved the meeting.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Actor, Viewer
from audit.services import audit_record
from core import events
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workflow.access import CaseVisible
from workflow.engine import lock_case
from workflow.models import Case
from workflow.rules import hr_adviser
from workflow.services.validation import Errors

from .events import MeetingChange, MeetingChanged
from .models import (
    CompanionRole,
    MeetingAttendance,
    MeetingStatus,
    Panel,
    PanelMeeting,
    PanelMembership,
)
from .state import current_panel

if TYPE_CHECKING:
    from casefile.models import Document

PLACE_MAX = 200
LINK_MAX = 500
REASON_MAX = 2_000
COMPANION_MAX = 200
# Control characters, line breaks included: a name is one line.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# The audit log's names for what these services record (``PanelsConfig.ready``).
MEETING_SCHEDULED = "meeting_scheduled"
MEETING_CHANGED = "meeting_changed"
MEETING_CANCELLED = "meeting_cancelled"
ATTENDANCE_RECORDED = "meeting_attendance"
MINUTES_ATTACHED = "meeting_minutes"
EVENT_TYPES = (
    (MEETING_SCHEDULED, "Panel meeting scheduled"),
    (MEETING_CHANGED, "Panel meeting changed"),
    (MEETING_CANCELLED, "Panel meeting cancelled"),
    (ATTENDANCE_RECORDED, "Panel meeting attendance recorded"),
    (MINUTES_ATTACHED, "Panel meeting minutes attached"),
)

MANAGE_REFUSAL = "Only an HR adviser can arrange the panel's meetings."
ATTENDANCE_REFUSAL = "Only an HR adviser or the panel's chair can record who attended."


# --- reads ------------------------------------------------------------------------


def next_meeting(case: Case) -> PanelMeeting | None:
    """The next scheduled meeting of the case's panel (one not yet over), or None."""
    return (
        PanelMeeting.objects.filter(
            case=case, status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now()
        )
        .order_by("starts_at", "id")
        .first()
    )


MEETINGS_SHOWN = 10


def meetings_of(case: Case, *, limit: int = MEETINGS_SHOWN) -> list[PanelMeeting]:
    """The case's meetings, the latest first, each with who attended (a panel
    meets a few times at most; the newest ``limit`` are shown)."""
    return list(
        PanelMeeting.objects.filter(case=case)
        .select_related("panel")
        .prefetch_related("attendance__user")
        .order_by("-starts_at", "-id")[:limit]
    )


def sitting_seats(panel: Panel) -> list[PanelMembership]:
    """The panel's sitting members' seats (never those who stood down), by seat."""
    return list(
        PanelMembership.objects.filter(panel=panel, stood_down_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )


def meeting_invitees(meeting: PanelMeeting) -> list[Actor]:
    """Who is invited: the panel's sitting members, and the case owner where
    the case has one (``Case.owner``), each once."""
    people: dict[int, Actor] = {s.user_id: s.user for s in sitting_seats(meeting.panel)}
    owner = getattr(meeting.case, "owner", None)
    if owner is not None and owner.is_active:
        people.setdefault(owner.pk, owner)
    return list(people.values())


def invitation_ics(meeting: PanelMeeting, user_id: int, *, cancel: bool = False) -> bytes:
    """The .ics for one person, from the meeting as it is now: a cancellation
    if the meeting is cancelled, ``cancel`` says so, or they stood down from
    its panel; otherwise the invitation, naming every invitee."""
    from .meeting_ics import meeting_calendar

    invitees = meeting_invitees(meeting)
    if not cancel and user_id not in {p.pk for p in invitees}:
        cancel = PanelMembership.objects.filter(
            panel_id=meeting.panel_id, user_id=user_id, stood_down_at__isnull=False
        ).exists()
    if cancel and not meeting.cancelled:
        gone = get_user_model().objects.filter(pk=user_id).first()
        invitees = [gone] if gone is not None else []
    return meeting_calendar(
        meeting, attendees=invitees, cancel=cancel, chair_id=meeting.panel.chair_id
    )


def may_manage(user: Viewer, case: Case) -> bool:
    """Whether ``user`` may schedule, change and cancel the case's meetings (the
    stage aside): an HR adviser acting on a case they did not refer."""
    return hr_adviser(user, case)


def may_record_attendance(user: Viewer, case: Case, meeting: PanelMeeting) -> bool:
    """HR advisers (as ``may_manage``) and the chair of the meeting's panel."""
    if hr_adviser(user, case):
        return True
    return has_role(user, Role.PANEL) and meeting.panel.chair_id == user.pk


def meeting_uid(case: Case) -> str:
    """A calendar UID unique to one meeting for good: random, at the trust's
    host (or the sender's domain), so two deployments never collide."""
    host = getattr(case.trust, "host", "") or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2]
    return f"{uuid.uuid4()}@{host or 'localhost'}"


# --- schedule, change, cancel ---------------------------------------------------------


def meeting_schedule(
    *,
    case_id: int,
    actor: Actor,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str = "",
    video_link: str = "",
    accompaniment_told: bool | None = None,
    companion_name: str = "",
    companion_role: str = "",
) -> PanelMeeting:
    """HR schedules a meeting of the case's current panel.

    While the panel stage is open; it starts in the future and ends after it
    starts; a place or a video link (https) is given. Each sitting member
    (and the case owner, where the case has one) is sent an invitation.
    ``accompaniment_told``: the employee was told of their right to be
    accompanied; ``companion_name``/``companion_role``: who comes with them,
    if known (``_companion``; docs/wellbeing.md).
    """
    with transaction.atomic():
        case = _locked(case_id, actor)
        panel = _open_panel(case)
        errors = Errors()
        companion = _companion(errors, accompaniment_told, companion_name, companion_role)
        try:
            when = _checked(starts_at, ends_at, place, video_link)
        except ValidationFailed as exc:
            for name, problems in exc.errors.items():
                for problem in problems:
                    errors.add(name, problem)
        errors.raise_if_any()
        now = timezone.now()
        meeting = PanelMeeting.objects.create(
            panel=panel,
            case=case,
            starts_at=when.starts_at,
            ends_at=when.ends_at,
            place=when.place,
            video_link=when.video_link,
            uid=meeting_uid(case),
            scheduled_by=actor,
            scheduled_at=now,
            updated_at=now,
            **companion,
        )
        _audit(case, actor, MEETING_SCHEDULED, meeting)
        events.publish(MeetingChanged(meeting=meeting, actor=actor, change=MeetingChange.SCHEDULED))
    return meeting


def meeting_change(
    *,
    meeting_id: int,
    actor: Actor,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str = "",
    video_link: str = "",
    accompaniment_told: bool | None = None,
    companion_name: str = "",
    companion_role: str = "",
) -> PanelMeeting:
    """HR moves a scheduled meeting (time, place or link): the same calendar
    event, one sequence on, so each member's calendar updates the one it holds.

    The companion's details (as ``meeting_schedule``) are what the form
    shows, so they are written as given. A change of the companion alone
    is recorded without sending the members an update: their calendar
    holds nothing about it."""
    with transaction.atomic():
        case, meeting = _locked_meeting(meeting_id, actor)
        _open_panel(case)
        if meeting.cancelled:
            raise Conflict("This meeting was cancelled. Schedule a new one instead.")
        errors = Errors()
        companion = _companion(errors, accompaniment_told, companion_name, companion_role)
        try:
            when = _checked(starts_at, ends_at, place, video_link)
        except ValidationFailed as exc:
            for name, problems in exc.errors.items():
                for problem in problems:
                    errors.add(name, problem)
        errors.raise_if_any()
        before = _when(meeting)
        companion_before = _companion_of(meeting)
        meeting.starts_at, meeting.ends_at = when.starts_at, when.ends_at
        meeting.place, meeting.video_link = when.place, when.video_link
        for name, value in companion.items():
            setattr(meeting, name, value)
        moved = _when(meeting) != before
        if not moved and _companion_of(meeting) == companion_before:
            raise ValidationFailed(
                {"__all__": ["Nothing changed: give a new time, place, link or companion."]}
            )
        if moved:
            meeting.sequence += 1
        meeting.updated_at = timezone.now()
        meeting.save()
        _audit(case, actor, MEETING_CHANGED, meeting, before=before if moved else None)
        if moved:
            events.publish(
                MeetingChanged(meeting=meeting, actor=actor, change=MeetingChange.CHANGED)
            )
    return meeting


def meeting_cancel(*, meeting_id: int, actor: Actor, reason: str) -> PanelMeeting:
    """HR cancels a scheduled meeting, saying why (on record; members are sent
    the cancellation, which does not carry the reason)."""
    with transaction.atomic():
        case, meeting = _locked_meeting(meeting_id, actor)
        _open_panel(case)
        errors = Errors()
        reason = errors.require_text(
            "reason", reason, "the reason for cancelling", max_length=REASON_MAX
        )
        errors.raise_if_any()
        if meeting.cancelled:
            raise Conflict("This meeting is already cancelled.")
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = reason
        meeting.sequence += 1
        meeting.updated_at = timezone.now()
        meeting.save()
        _audit(case, actor, MEETING_CANCELLED, meeting, reason=reason)
        events.publish(MeetingChanged(meeting=meeting, actor=actor, change=MeetingChange.CANCELLED))
    return meeting


# --- after the meeting ----------------------------------------------------------------


def attendance_record(
    *, meeting_id: int, actor: Actor, present_member_ids: Sequence[int]
) -> list[MeetingAttendance]:
    """HR or the chair records which of the meeting's seated members attended:
    every member of the panel (sitting or since stood down) is recorded,
    present if listed, absent if not. At or after the meeting's start, never
    before; recording again corrects the record (each recording audited)."""
    with transaction.atomic():
        case = _locked_case_of(meeting_id, actor)
        meeting = _meeting_of(case, meeting_id)
        if not may_record_attendance(actor, case, meeting):
            raise NotAllowed(ATTENDANCE_REFUSAL)
        if meeting.cancelled:
            raise Conflict("This meeting was cancelled: nobody attended it.")
        if meeting.starts_at > timezone.now():
            raise Conflict("Record who attended once the meeting has started.")
        seats = {
            m.user_id: m
            for m in PanelMembership.objects.filter(panel_id=meeting.panel_id).order_by("id")
        }
        present = {int(i) for i in present_member_ids}
        strangers = sorted(present - set(seats))
        if strangers:
            raise ValidationFailed({"present": ["Choose only members of this meeting's panel."]})
        now = timezone.now()
        rows = []
        for user_id in seats:
            row, _ = MeetingAttendance.objects.update_or_create(
                meeting=meeting,
                user_id=user_id,
                defaults={"attended": user_id in present, "recorded_by": actor, "recorded_at": now},
            )
            rows.append(row)
        audit_record(
            case=case,
            actor=actor,
            action=ATTENDANCE_RECORDED,
            from_stage=case.stage,
            to_stage=case.stage,
            payload={
                "meeting_id": meeting.pk,
                "present": sorted(present),
                "absent": sorted(set(seats) - present),
            },
        )
    return rows


def minutes_attach(*, meeting_id: int, actor: Actor, name: str, data: bytes) -> PanelMeeting:
    """HR attaches the meeting's minutes: a document in the case file (kind
    "minutes", read by HR and the panel), checked and stored by
    ``casefile.services.document_add``, which also audits the upload."""
    from casefile.services import document_add

    with transaction.atomic():
        case = _locked_case_of(meeting_id, actor)
        meeting = _meeting_of(case, meeting_id)
        if not may_manage(actor, case):
            raise NotAllowed("Only an HR adviser can attach the minutes.")
        if meeting.cancelled:
            raise Conflict("This meeting was cancelled: it has no minutes.")
        if meeting.starts_at > timezone.now():
            raise Conflict("Attach the minutes once the meeting has taken place.")
        if meeting.minutes_id is not None:
            raise Conflict(
                "Minutes are already attached. Add a new version of them in the case file."
            )
        document: Document = document_add(
            case_id=case.pk,
            actor=actor,
            title=f"Minutes of the panel meeting on {_local(meeting.starts_at):%-d %b %Y}",
            kind="minutes",
            audience="panel",
            name=name,
            data=data,
        )
        meeting.minutes = document
        meeting.save(update_fields=["minutes"])
        audit_record(
            case=case,
            actor=actor,
            action=MINUTES_ATTACHED,
            from_stage=case.stage,
            to_stage=case.stage,
            payload={"meeting_id": meeting.pk, "document_id": document.pk},
        )
    return meeting


# --- helpers --------------------------------------------------------------------------


class _When:
    def __init__(
        self, starts_at: dt.datetime, ends_at: dt.datetime, place: str, video_link: str
    ) -> None:
        self.starts_at, self.ends_at = starts_at, ends_at
        self.place, self.video_link = place, video_link


def _checked(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, place: str, video_link: str
) -> _When:
    """Every problem with the time and place at once, each on its field."""
    errors = Errors()
    starts, ends = _check_times(errors, starts_at, ends_at)
    place, link = _check_place(errors, place, video_link)
    errors.raise_if_any()
    if starts is None or ends is None:  # unreachable: refused above; narrows the types
        raise ValidationFailed({"starts_at": ["Give the meeting's start and end."]})
    return _When(starts, ends, place, link)


def _check_times(
    errors: Errors, starts_at: dt.datetime | None, ends_at: dt.datetime | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """A start in the future and an end after it (both with a time zone)."""
    if starts_at is None or timezone.is_naive(starts_at):
        errors.add("starts_at", "Give the date and time the meeting starts.")
        starts_at = None
    elif starts_at <= timezone.now():
        errors.add("starts_at", "The meeting must start in the future.")
    if ends_at is None or timezone.is_naive(ends_at):
        errors.add("ends_at", "Give the date and time the meeting ends.")
        ends_at = None
    elif starts_at is not None and ends_at <= starts_at:
        errors.add("ends_at", "The meeting must end after it starts.")
    return starts_at, ends_at


def _check_place(errors: Errors, place: str, video_link: str) -> tuple[str, str]:
    """A place, a secure (https) video link, or both."""
    place = (place or "").strip()
    link = (video_link or "").strip()
    if len(place) > PLACE_MAX:
        errors.add("place", f"Keep the place under {PLACE_MAX} characters.")
    if len(link) > LINK_MAX:
        errors.add("video_link", f"Keep the link under {LINK_MAX} characters.")
    elif link and not _secure_link(link):
        errors.add("video_link", "Give the video link as a web address starting https://.")
    if not place and not link:
        errors.add("place", "Give the place of the meeting or a video link.")
    return place, link


def _secure_link(link: str) -> bool:
    parts = urlsplit(link)
    return (
        parts.scheme.lower() == "https"
        and bool(parts.hostname)
        and not any(c.isspace() for c in link)
    )


def _companion(
    errors: Errors, told: bool | None, name: str, role: str
) -> dict[str, bool | str | None]:
    """The employee's right to be accompanied (Employment Relations Act 1999
    s.10), as the meeting's columns: whether they were told of it, and who
    comes with them. A role needs a name; nothing given is stored as null."""
    name = _CONTROLS.sub("", name or "").strip()
    role = (role or "").strip()
    if told is not None and not isinstance(told, bool):
        errors.add("accompaniment_told", "Say whether the employee was told of the right.")
    if len(name) > COMPANION_MAX:
        errors.add("companion_name", f"Keep the companion's name under {COMPANION_MAX} characters.")
    if role and role not in CompanionRole.values:
        errors.add("companion_role", "Choose who the companion is.")
    elif role and not name:
        errors.add("companion_name", "Give the companion's name, or leave who they are blank.")
    return {
        "accompaniment_told": told,
        "companion_name": name or None,
        "companion_role": role or None,
    }


def _companion_of(meeting: PanelMeeting) -> tuple[bool | None, str | None, str | None]:
    return (meeting.accompaniment_told, meeting.companion_name, meeting.companion_role)


def _when(meeting: PanelMeeting) -> tuple[dt.datetime, dt.datetime, str, str]:
    return (meeting.starts_at, meeting.ends_at, meeting.place, meeting.video_link)


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at)


def _locked(case_id: int, actor: Actor) -> Case:
    """The case locked, with whether the decide step is open: 404 for a case
    the actor may not see, 403 for anyone but an HR adviser."""
    case = lock_case(case_id, during=("decide",))
    if not CaseVisible.allows(actor, case):
        raise NotFound("No such case.")
    if not may_manage(actor, case):
        raise NotAllowed(MANAGE_REFUSAL)
    return case


def _case_id_of(meeting_id: int) -> int:
    case_id = PanelMeeting.objects.filter(pk=meeting_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("No such meeting.")
    return case_id


def _locked_case_of(meeting_id: int, actor: Actor) -> Case:
    case = lock_case(_case_id_of(meeting_id), during=("decide",))
    if not CaseVisible.allows(actor, case):
        raise NotFound("No such meeting.")
    return case


def _meeting_of(case: Case, meeting_id: int) -> PanelMeeting:
    meeting = (
        PanelMeeting.objects.select_for_update(of=("self",))
        .select_related("panel")
        .filter(pk=meeting_id, case=case)
        .first()
    )
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def _locked_meeting(meeting_id: int, actor: Actor) -> tuple[Case, PanelMeeting]:
    case = _locked(_case_id_of(meeting_id), actor)
    return case, _meeting_of(case, meeting_id)


def _open_panel(case: Case) -> Panel:
    """The current panel, while the panel stage's decide step is open (409 otherwise)."""
    panel = current_panel(case)
    if panel is None or not getattr(case, "ftp_step_open", False):
        raise Conflict(
            f"Panel meetings are arranged while the panel considers the case; case "
            f"{case.reference} is at {case.get_stage_display()}."
        )
    return panel


def _audit(
    case: Case,
    actor: Actor,
    action: str,
    meeting: PanelMeeting,
    *,
    reason: str = "",
    before: tuple[dt.datetime, dt.datetime, str, str] | None = None,
) -> None:
    """One event; the payload carries the times in UTC and whether a place and
    a link were given (never the place itself: it may name a room or a site)."""
    payload: dict[str, object] = {
        "meeting_id": meeting.pk,
        "sequence": meeting.sequence,
        "starts_at": meeting.starts_at.astimezone(dt.UTC).isoformat(),
        "ends_at": meeting.ends_at.astimezone(dt.UTC).isoformat(),
        "in_person": bool(meeting.place),
        "video": bool(meeting.video_link),
        # Flags only: whether the right was told and a companion named (and
        # in what role); the companion's name stays on the meeting.
        "accompaniment_told": meeting.accompaniment_told,
        "companion_named": bool(meeting.companion_name),
        "companion_role": meeting.companion_role or "",
    }
    if before is not None:
        payload["was_starts_at"] = before[0].astimezone(dt.UTC).isoformat()
        payload["was_ends_at"] = before[1].astimezone(dt.UTC).isoformat()
    audit_record(
        case=case,
        actor=actor,
        action=action,
        from_stage=case.stage,
        to_stage=case.stage,
        reason=reason,
        payload=payload,
    )
