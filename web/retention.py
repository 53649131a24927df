"""The retention pages for HR: the case files due for destruction, at
/audit/retention/, and the confirm page of one, at /audit/retention/<id>/.

HR advisers only (``workflow.access.RetentionManage``): anyone else is
refused (403) before anything is read; the anonymous are sent to log in.
Destroying is ``records.retention.case_destroy``, after the adviser types the
case's reference and a reason; a form error is shown beside its field and
changes nothing, a file not due (or already destroyed) is a notice, never a
500. A destroyed case's own page (/cases/<id>/) shows HR its tombstone and
everyone else a 404 (``web.cases``).
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
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.inputs import QueryForm, parse_query, refuse_control_characters
from core.paging import CursorField
from records.retention import REASON_MAX_LENGTH, case_destroy, retention_class, retention_due_on
from records.retention_selectors import (
    Tombstone,
    retention_case_get,
    retention_due_page,
)
from workflow.access import RetentionManage

from .forms import apply_domain_errors

REFUSAL = "Only HR advisers manage the retention of case files."
PAGE_SIZE = 50


class DueListForm(QueryForm):
    cursor = CursorField()


class DestroyForm(forms.Form):
    reference = forms.CharField(
        max_length=32,
        label="Case reference",
        help_text="Type the reference shown above to confirm this is the file to destroy.",
        validators=[refuse_control_characters],
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        label="Reason",
        help_text="Recorded in the audit log with your name, e.g. the schedule's line.",
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[refuse_control_characters],
    )


class _HrOnly(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not RetentionManage.allows(request.user):
            raise PermissionDenied(REFUSAL)
        return super().dispatch(request, *args, **kwargs)


class RetentionDueView(_HrOnly):
    """The files due for destruction today, oldest case first, a page at a time."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = parse_query(DueListForm, request)
        page = retention_due_page(
            as_of=timezone.localdate(), cursor=form.cleaned_data.get("cursor"), size=PAGE_SIZE
        )
        context = {"page": page, "title": "Case files due for destruction"}
        return render(request, "records/retention_due.html", context)


class CaseDestroyView(_HrOnly):
    """Confirm the destruction of one case file that is due."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        due = retention_due_on(case)
        if due is None or due > timezone.localdate():
            return self._show(request, case, None, status=409)
        return self._show(request, case, DestroyForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        form = DestroyForm(request.POST)
        if not form.is_valid():
            return self._show(request, case, form, status=400)
        try:
            case_destroy(
                case_id=case.pk,
                actor=as_actor(request.user),
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as exc:
            apply_domain_errors(form, exc)
            return self._show(request, case, form, status=400)
        except Conflict as exc:
            return self._show(request, case, None, status=409, notice=exc.message)
        messages.success(request, f"{case.reference} was destroyed under the retention schedule.")
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))

    def _case(self, request: HttpRequest, pk: int) -> Any:
        try:
            return retention_case_get(user=request.user, case_id=pk)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    def _show(
        self,
        request: HttpRequest,
        case: Any,
        form: DestroyForm | None,
        status: int = 200,
        notice: str = "",
    ) -> HttpResponse:
        due, kept = retention_due_on(case), retention_class(case)
        if form is None and not notice:
            notice = (
                f"{case.reference} is still open: an open case file is never destroyed."
                if due is None
                else f"{case.reference} is not due for destruction until {due:%-d %B %Y}."
            )
        context = {
            "title": f"Destroy case file {case.reference}",
            "reference": case.reference,
            "retention_class": kept.label if kept else "",
            "due_on": due,
            "form": form,
            "notice": notice,
        }
        return render(request, "records/retention_destroy.html", context, status=status)


def tombstone_page(request: HttpRequest, tombstone: Tombstone) -> HttpResponse:
    """A destroyed case's page, as HR sees it (``web.cases.CaseDetailView``)."""
    context = {"tombstone": tombstone, "title": f"Case {tombstone.reference} (destroyed)"}
    return render(request, "records/tombstone.html", context)
