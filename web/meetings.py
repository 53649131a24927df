"""Panel meetings on the case page: HR schedules, changes and cancels them,
HR or the chair records who attended, HR attaches the minutes; anyone who
may see the case downloads their calendar invitation.

Thin: each view shapes a form for one service of ``panels.meetings`` and
goes back to the case page; a refusal shows the form again with the reason
(400 bad input, 403 not theirs, 409 not now), a case or meeting the person
may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.types import as_actor
from core.errors import DomainError, NotFound
from panels.meetings import (
    COMPANION_MAX,
    LINK_MAX,
    PLACE_MAX,
    attendance_record,
    invitation_ics,
    meeting_cancel,
    meeting_change,
    meeting_schedule,
    minutes_attach,
)
from panels.models import CompanionRole, PanelMeeting
from workflow.access import CaseVisible
from workflow.models import Case

from .forms import apply_domain_errors

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]
# The case file checks the minutes' size and type (core.documents); reading
# one byte past this is enough to refuse a file far too big.
MINUTES_READ_MAX = 25 * 1024 * 1024


def _when_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UK time.",
        error_messages={"invalid": "Give a date and time, such as 05/12/2026 10:00."},
    )


class MeetingForm(forms.Form):
    starts_at = _when_field("Starts")
    ends_at = _when_field("Ends")
    place = forms.CharField(
        label="Place",
        required=False,
        max_length=PLACE_MAX,
        help_text="A room and site. Give a place, a video link or both.",
    )
    video_link = forms.CharField(
        label="Video link",
        required=False,
        max_length=LINK_MAX,
        help_text="A web address starting https://.",
    )
    # The employee's right to be accompanied (docs/wellbeing.md).
    accompaniment_told = forms.TypedChoiceField(
        label="Was the employee told of their right to be accompanied?",
        choices=[("", "Not yet"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text="By a trade union representative or a work colleague.",
    )
    companion_name = forms.CharField(
        label="Companion's name",
        required=False,
        max_length=COMPANION_MAX,
        help_text="Who comes with the employee, if known. Their invitation letter names them.",
    )
    companion_role = forms.ChoiceField(
        label="Who the companion is",
        choices=[("", "Not known"), *CompanionRole.choices],
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the case's record; members are told only that it is cancelled.",
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label="Who attended?",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each member who attended; those not ticked are recorded as absent.",
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field: Any = self.fields["present"]
        field.choices = members or []


class MinutesForm(forms.Form):
    file = forms.FileField(
        label="Minutes",
        help_text="PDF, Word (.docx) or plain text. HR and the panel can read them.",
    )


def _visible_case(request: HttpRequest, pk: int) -> Case:
    """Case ``pk`` if this person may see it (404 otherwise); its reference is
    all these pages print of it."""
    case = Case.objects.filter(CaseVisible.q(request.user)).filter(pk=pk).first()
    if case is None or not CaseVisible.allows(request.user, case):
        raise Http404("No such case, or you may not see it.")
    return case


def _meeting_for(request: HttpRequest, pk: int, meeting: int) -> PanelMeeting:
    """The meeting of case ``pk``, if this person may see the case (404 otherwise)."""
    _visible_case(request, pk)
    found = (
        PanelMeeting.objects.select_related("case", "panel").filter(pk=meeting, case_id=pk).first()
    )
    if found is None:
        raise Http404("No such meeting.")
    return found


def _refused(
    request: HttpRequest, pk: int, form: forms.Form, title: str, status: int
) -> HttpResponse:
    case = _visible_case(request, pk)
    return render(
        request,
        "panels/meeting_form.html",
        {"form": form, "case": case, "title": title, "heading": title},
        status=status,
    )


def _done(request: HttpRequest, pk: int, text: str) -> HttpResponse:
    messages.success(request, text)
    return HttpResponseRedirect(reverse("cases:detail", args=[pk]) + "#panel-meeting")


def _attempt(
    request: HttpRequest, pk: int, form: forms.Form, title: str, call: Any, done: str
) -> HttpResponse:
    if not form.is_valid():
        return _refused(request, pk, form, title, 400)
    try:
        call(form.cleaned_data)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        apply_domain_errors(form, exc)
        return _refused(request, pk, form, title, exc.status_code)
    return _done(request, pk, done)


class MeetingScheduleView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = as_actor(request.user)
        return _attempt(
            request,
            pk,
            MeetingForm(request.POST),
            "Schedule the panel meeting",
            lambda data: meeting_schedule(case_id=pk, actor=actor, **data),
            "The meeting is scheduled; each member has been sent an invitation.",
        )


class MeetingChangeView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
        found = _meeting_for(request, pk, meeting)
        actor = as_actor(request.user)
        return _attempt(
            request,
            pk,
            MeetingForm(request.POST),
            "Change the panel meeting",
            lambda data: meeting_change(meeting_id=found.pk, actor=actor, **data),
            "The meeting is changed; each member has been sent the update.",
        )


class MeetingCancelView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
        found = _meeting_for(request, pk, meeting)
        actor = as_actor(request.user)
        return _attempt(
            request,
            pk,
            CancelForm(request.POST),
            "Cancel the panel meeting",
            lambda data: meeting_cancel(meeting_id=found.pk, actor=actor, reason=data["reason"]),
            "The meeting is cancelled; each member has been told.",
        )


class MeetingAttendanceView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
        found = _meeting_for(request, pk, meeting)
        members = [
            (m.user_id, m.user.get_full_name() or m.user.username)
            for m in found.panel.memberships.select_related("user").order_by("id")
        ]
        actor = as_actor(request.user)
        return _attempt(
            request,
            pk,
            AttendanceForm(request.POST, members=members),
            "Record who attended",
            lambda data: attendance_record(
                meeting_id=found.pk, actor=actor, present_member_ids=data["present"]
            ),
            "Attendance is recorded.",
        )


class MeetingMinutesView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
        found = _meeting_for(request, pk, meeting)
        actor = as_actor(request.user)

        def attach(data: dict[str, Any]) -> Any:
            upload = data["file"]
            return minutes_attach(
                meeting_id=found.pk,
                actor=actor,
                name=upload.name or "",
                data=upload.read(MINUTES_READ_MAX + 1),
            )

        return _attempt(
            request,
            pk,
            MinutesForm(request.POST, request.FILES),
            "Attach the minutes",
            attach,
            "The minutes are attached to the case file.",
        )


class MeetingInviteView(LoginRequiredMixin, View):
    """The person's calendar invitation to the meeting, as the email carries it:
    for anyone who may see the case (a panel member yet to declare too: it
    names only the reference), 404 for anyone else."""

    def get(self, request: HttpRequest, pk: int, meeting: int) -> HttpResponse:
        found = (
            PanelMeeting.objects.select_related("case", "panel")
            .filter(pk=meeting, case_id=pk)
            .first()
        )
        if found is None or not CaseVisible.allows(request.user, found.case):
            raise Http404("No such meeting.")
        ics = invitation_ics(found, as_actor(request.user).pk)
        response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invite.ics"'
        response["Cache-Control"] = "private, no-store"
        return response
