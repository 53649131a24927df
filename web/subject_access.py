"""The subject access page for HR: a staff number and the request's reference in,
the employee's pack (a ZIP) out, at /audit/subject-access/.

HR advisers only (``workflow.access.SubjectAccessProduce``): anyone else is
refused (403) before anything is read; the anonymous are sent to log in.
The pack is produced and recorded by ``records.subject_access``, the same
service as ``manage.py subject_access``; a form error (an unknown staff
number, no reference) is shown beside its field and records nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from accounts.types import as_actor
from core.errors import NotAllowed, ValidationFailed
from core.inputs import refuse_control_characters
from records.subject_access import REFERENCE_MAX_LENGTH, REFUSAL, subject_access_pack
from workflow.access import SubjectAccessProduce

from .forms import apply_domain_errors


class SubjectAccessForm(forms.Form):
    staff_number = forms.CharField(
        max_length=32, label="Staff number", validators=[refuse_control_characters]
    )
    request_reference = forms.CharField(
        max_length=REFERENCE_MAX_LENGTH,
        label="Request reference",
        help_text="The reference of the request in the trust's subject access log.",
        validators=[refuse_control_characters],
        widget=forms.TextInput({"aria-describedby": "id_request_reference-help"}),
    )


class SubjectAccessView(LoginRequiredMixin, View):
    template = "records/subject_access.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not SubjectAccessProduce.allows(request.user):
            raise PermissionDenied(REFUSAL)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._show(request, SubjectAccessForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubjectAccessForm(request.POST)
        if not form.is_valid():
            return self._show(request, form, status=400)
        try:
            pack = subject_access_pack(
                actor=as_actor(request.user),
                staff_number=form.cleaned_data["staff_number"],
                request_reference=form.cleaned_data["request_reference"],
            )
        except NotAllowed as exc:  # their own record
            raise PermissionDenied(exc.message) from exc
        except ValidationFailed as exc:
            apply_domain_errors(form, exc)
            return self._show(request, form, status=400)
        response = HttpResponse(pack.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
        response["X-Content-SHA256"] = pack.sha256
        response["Cache-Control"] = "no-store"
        return response

    def _show(self, request: HttpRequest, form: forms.Form, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {"form": form, "title": "Subject access pack"}
        return render(request, self.template, context, status=status)
