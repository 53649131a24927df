"""Case notes, at /cases/<id>/notes/: the notes a person may read, newest
first and a page at a time, and for HR advisers on the case and its owner
a form to add one and a form under each note to correct it.

Whoever may see the case opens the page (others get a 404); what it lists
is ``casefile.note_selectors``' (``workflow.access.FileVisible``), so a
referring manager reads only notes for everyone on the case and a panel
member yet to declare reads none. Writes are ``casefile.notes``' services.
A form that is refused comes back with what was typed and the reason, with
status 400 (bad input), 403, 404 or 409; nothing typed is lost.
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
from django.views import View

from accounts.types import as_actor
from casefile.models import CORRECTION_REASON_MAX, NOTE_TEXT_MAX
from casefile.note_selectors import ShownNote, note_get, notes_page
from casefile.notes import REFUSAL, may_write_notes, note_add, note_correct
from core.errors import DomainError, NotFound
from core.inputs import parse_query, refuse_far_dates
from core.paging import KeysetPage
from workflow.access import FileAudience
from workflow.selectors import CaseView

from .case_lookup import case_view_or_404
from .filters import CursorForm
from .forms import apply_domain_errors

PAGE_SIZE = 25
PREVIEW_SIZE = 3
DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]


class NoteForm(forms.Form):
    # No max_length here: a browser would cut a pasted note short without a
    # word. The service counts and says so, and the text comes back whole.
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"What happened or was said, factually. Up to {NOTE_TEXT_MAX:,} characters.",
        error_messages={"required": "Write the note."},
    )
    audience = forms.ChoiceField(
        label="Who may read it",
        choices=FileAudience.choices,
        initial=FileAudience.HR,
        help_text="HR only unless the rest of the case needs to know.",
    )
    about_date = forms.DateField(
        label="The day it is about",
        required=False,
        input_formats=DATE_FORMATS,
        validators=[refuse_far_dates],
        error_messages={"invalid": "Enter the date as day/month/year, for example 20/11/2026."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text="If not today: a phone call yesterday, for example 20/11/2026.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CorrectionForm(NoteForm):
    """A correction of one note: a new note and why (prefixed by the note's id)."""

    audience = forms.ChoiceField(
        label="Who may read the correction",
        choices=[("", "The same people as the note"), *FileAudience.choices],
        required=False,
        help_text="The same as the note, or fewer people; never more.",
    )
    reason = forms.CharField(
        label="Why it is corrected",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Up to {CORRECTION_REASON_MAX} characters.",
        error_messages={"required": "Say why the note is being corrected."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "The note as it should read"
        self.fields["text"].error_messages["required"] = "Write the corrected note."

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["audience"] = data.get("audience") or None
        return data


def correction_form(note_id: int, data: Any = None) -> CorrectionForm:
    return CorrectionForm(data, prefix=f"c{note_id}")


def _case_view(request: HttpRequest, pk: int) -> CaseView:
    return case_view_or_404(request, pk)


def notes_preview(request: HttpRequest, view: CaseView) -> dict[str, Any]:
    """The case page's "Case notes" section: the latest few notes its viewer may read."""
    if view.restricted:
        return {"page": None, "may_write": False}
    page = notes_page(request.user, view._case, cursor=None, size=PREVIEW_SIZE)
    return {"page": page, "may_write": may_write_notes(request.user, view._case)}


class CaseNotesView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        return self._render(request, view, cursor=cursor)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = _case_view(request, pk)
        if not may_write_notes(request.user, view._case):
            raise PermissionDenied(REFUSAL)
        corrects = _note_id(request.POST.get("corrects", ""))
        form: NoteForm = (
            NoteForm(request.POST) if corrects is None else correction_form(corrects, request.POST)
        )
        if not form.is_valid():
            return self._render(request, view, form=form, corrects=corrects, status=400)
        actor = as_actor(request.user)
        try:
            if corrects is None:
                note = note_add(case_id=pk, actor=actor, **form.service_kwargs())
            else:
                note = note_correct(
                    case_id=pk, note_id=corrects, actor=actor, **form.service_kwargs()
                )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            apply_domain_errors(form, exc)
            return self._render(request, view, form=form, corrects=corrects, status=exc.status_code)
        done = "Note added." if corrects is None else f"Note {corrects} corrected."
        messages.success(request, f"{done} It is note {note.pk}.")
        return HttpResponseRedirect(reverse("cases:notes", args=[pk]))

    def _render(
        self,
        request: HttpRequest,
        view: CaseView,
        *,
        cursor: Any = None,
        form: NoteForm | None = None,
        corrects: int | None = None,
        status: int = 200,
    ) -> HttpResponse:
        case = view._case
        may_write = not view.restricted and may_write_notes(request.user, case)
        page: KeysetPage[ShownNote] | None = None
        rows: list[tuple[ShownNote, CorrectionForm | None]] = []
        if not view.restricted:
            page = notes_page(request.user, case, cursor=cursor, size=PAGE_SIZE)
            rows = _with_forms(request, view, page, form, corrects, may_write)
        context = {
            "view": view,
            "case": view.case,
            "title": f"Case notes: {view.case.reference}",
            "page": page,
            "rows": rows,
            "may_write": may_write,
            "form": form if corrects is None and form is not None else NoteForm(),
            "correcting": corrects,
        }
        return render(request, "workflow/case_notes.html", context, status=status)


def _with_forms(
    request: HttpRequest,
    view: CaseView,
    page: KeysetPage[ShownNote],
    bound: NoteForm | None,
    corrects: int | None,
    may_write: bool,
) -> list[tuple[ShownNote, CorrectionForm | None]]:
    """Each note with its correction form (for those who may write, on notes
    not yet corrected); the one being corrected keeps what was typed, and is
    shown first if it is not on this page."""
    rows = list(page.rows)
    if corrects is not None and all(r.id != corrects for r in rows):
        one = note_get(request.user, view._case, corrects)
        if one is not None:
            rows.insert(0, one)
    out: list[tuple[ShownNote, CorrectionForm | None]] = []
    for row in rows:
        form: CorrectionForm | None = None
        if may_write and row.correction is None:
            if row.id == corrects and isinstance(bound, CorrectionForm):
                form = bound
            else:
                form = correction_form(row.id)
        out.append((row, form))
    return out


def _note_id(text: str) -> int | None:
    """The note a correction is of; anything but a plain number is no note (404)."""
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Http404("No such note on this case.")
    return int(text)
