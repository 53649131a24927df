"""A case's letters, at /cases/<id>/letters/: generate one from the trust's
template (a PDF stored in the case's file), list them newest first a page at
a time, and record each as sent. Each PDF downloads as the case document it is
(``cases:document_download``, which records the download).

HR advisers acting on a case they did not refer only (``letters.selectors.
may_send_letters``); anyone else who may see the case gets a 403, anyone who
may not a 404. Writes are ``letters.services``'; a refused form comes back
with what was typed and the reason (400, 403 or 409), nothing lost.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from accounts.types import as_actor
from core.errors import DomainError, NotFound
from core.inputs import parse_query, refuse_far_dates
from letters.kinds import LetterKind, SentHow
from letters.models import Letter
from letters.selectors import letter_get, letters_page, may_send_letters
from letters.services import LETTER_REFUSAL, letter_generate, letter_record_sent
from panels.meetings import next_meeting
from workflow.models import Case
from workflow.selectors import CaseView

from .case_lookup import case_view_or_404
from .filters import CursorForm
from .forms import apply_domain_errors

PAGE_SIZE = 20
PREVIEW_SIZE = 5
DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
DATE_INVALID = "Enter the date as day/month/year, for example 20/11/2026."


def _date_field(label: str, help_text: str, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        validators=[refuse_far_dates],
        error_messages={"invalid": DATE_INVALID, "required": f"Give {label.lower()}."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text=help_text,
    )


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(
        label="Letter",
        choices=[("", "Choose a letter"), *LetterKind.choices],
        error_messages={"required": "Choose which letter to generate."},
    )
    meeting_date = _date_field(
        "Meeting date", "For an invitation only: for example 08/12/2026.", required=False
    )
    meeting_time = forms.TimeField(
        label="Meeting time",
        required=False,
        input_formats=["%H:%M", "%H.%M", "%I:%M%p", "%I:%M %p"],
        error_messages={"invalid": "Enter the time as hours:minutes, for example 10:30."},
        widget=forms.TimeInput(format="%H:%M"),
        help_text="For an invitation only: for example 10:30.",
    )
    # No max_length: a browser would cut it short without a word; the service counts.
    meeting_place = forms.CharField(
        label="Meeting place",
        required=False,
        help_text="For an invitation only: a room, or a video call.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SentForm(forms.Form):
    sent_on = _date_field("The date sent", "For example 20/11/2026.", required=True)
    how = forms.ChoiceField(
        label="How it was sent",
        choices=SentHow.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it was sent by email or by hand."},
    )


def sent_form(letter_id: int, data: Any = None) -> SentForm:
    initial = {"sent_on": timezone.localdate(), "how": SentHow.EMAIL}
    return SentForm(data, prefix=f"s{letter_id}", initial=initial)


def generate_form(case: Case, data: Any = None) -> GenerateForm:
    """The form, its meeting pre-filled from the panel's next meeting if there is one."""
    initial: dict[str, Any] = {}
    meeting = next_meeting(case)
    if meeting is not None:
        starts = timezone.localtime(meeting.starts_at)
        initial = {
            "meeting_date": starts.date(),
            "meeting_time": starts.time().replace(second=0, microsecond=0),
            "meeting_place": meeting.place or ("By video call" if meeting.video_link else ""),
        }
    return GenerateForm(data, initial=initial)


def _case_view(request: HttpRequest, pk: int) -> CaseView:
    view = case_view_or_404(request, pk)
    if view.restricted or not may_send_letters(request.user, view._case):
        raise PermissionDenied(LETTER_REFUSAL)
    return view


def letters_preview(request: HttpRequest, view: CaseView) -> dict[str, Any] | None:
    """The case page's "Letters" card: for HR on the case only, else nothing."""
    if view.restricted or not may_send_letters(request.user, view._case):
        return None
    page = letters_page(request.user, view._case, cursor=None, size=PREVIEW_SIZE)
    return {
        "page": page,
        "rows": [(letter, None if letter.sent_on else sent_form(letter.pk)) for letter in page],
        "form": generate_form(view._case),
    }


class CaseLettersView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        return _render(request, view, cursor=cursor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        form = generate_form(view._case, request.POST)
        if not form.is_valid():
            return _render(request, view, form=form, status=400)
        try:
            letter = letter_generate(
                case_id=pk, actor=as_actor(request.user), **form.service_kwargs()
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            apply_domain_errors(form, exc)
            return _render(request, view, form=form, status=exc.status_code)
        messages.success(
            request, f"{letter.get_kind_display()} generated and stored in the case's file."
        )
        return HttpResponseRedirect(reverse("cases:letters", args=[pk]))


class LetterSentView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int, letter: int) -> HttpResponse:
        view = _case_view(request, pk)
        found = letter_get(request.user, view._case, letter)
        if found is None:
            raise Http404("No such letter on this case.")
        form = sent_form(letter, request.POST)
        if not form.is_valid():
            return _render(request, view, sent=form, sent_letter=letter, status=400)
        try:
            letter_record_sent(
                letter_id=letter,
                actor=as_actor(request.user),
                sent_on=form.cleaned_data["sent_on"],
                how=form.cleaned_data["how"],
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            apply_domain_errors(form, exc)
            return _render(request, view, sent=form, sent_letter=letter, status=exc.status_code)
        messages.success(request, f"{found.get_kind_display()} recorded as sent.")
        return HttpResponseRedirect(reverse("cases:letters", args=[pk]))


def _render(
    request: HttpRequest,
    view: CaseView,
    *,
    cursor: Any = None,
    form: GenerateForm | None = None,
    sent: SentForm | None = None,
    sent_letter: int | None = None,
    status: int = 200,
) -> HttpResponse:
    case = view._case
    page = letters_page(request.user, case, cursor=cursor, size=PAGE_SIZE)
    rows = [(letter, _row_form(letter, sent, sent_letter)) for letter in page]
    context = {
        "view": view,
        "case": view.case,
        "title": f"Letters: {view.case.reference}",
        "page": page,
        "rows": rows,
        "form": form or generate_form(case),
    }
    return render(request, "workflow/case_letters.html", context, status=status)


def _row_form(letter: Letter, bound: SentForm | None, bound_id: int | None) -> SentForm | None:
    if letter.sent_on is not None:
        return None
    if bound is not None and bound_id == letter.pk:
        return bound
    return sent_form(letter.pk)
