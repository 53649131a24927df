"""The referral form, its employee picker and its duplicate warning.

The form works without script: the manager types the staff number. The
picker (``workflow/js/employee_picker.js``) asks ``EmployeePickerView`` for
the employees they may refer whose name or number matches what they typed
and fills the staff number in; the server checks it as before.

When the employee already has an open case the form is shown again with a
warning naming the open cases the manager may see (others only counted) and
asks for a reason; the same form sent twice makes one case (its one-time key,
``workflow.services.referral_submit``). docs/referrals.md.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.roles import Role, has_role
from accounts.types import as_actor
from core.errors import DomainError
from core.inputs import CONTROL_CHARACTERS, QueryForm, TextFilterField
from workflow import services
from workflow.models import Case
from workflow.referral_selectors import (
    PICKER_LIMIT,
    OpenCases,
    case_submitted_with,
    employees_referable_for,
    open_cases_for,
    referable_employee,
)
from workflow.services.referrals import AlreadySubmitted

from . import forms as action_forms

ONLY_MANAGERS = "Only a referring manager can submit a referral."


def _no_store(response: HttpResponse) -> HttpResponse:
    # Names and staff numbers: no browser or proxy keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


class ReferralCreateView(LoginRequiredMixin, View):
    def _render(
        self,
        request: HttpRequest,
        form: forms.Form,
        status: int = 200,
        notice: str = "",
        duplicates: OpenCases | None = None,
    ) -> HttpResponse:
        context = {
            "form": form,
            "title": "New referral",
            "notice": notice,
            "duplicates": duplicates,
            "picker_url": reverse("cases:employee_picker"),
        }
        return _no_store(render(request, "workflow/referral_form.html", context, status=status))

    def get(self, request: HttpRequest) -> HttpResponse:
        form = action_forms.ReferralForm(initial={"submission_key": uuid.uuid4()})
        if not has_role(request.user, Role.MANAGER):
            # Said, not put on the form: an unbound form cannot carry errors.
            return self._render(request, form, status=403, notice=ONLY_MANAGERS)
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = action_forms.ReferralForm(request.POST)
        if not has_role(request.user, Role.MANAGER):
            return self._render(request, form, status=403, notice=ONLY_MANAGERS)
        already = _already_submitted(request)
        if already is not None:
            # The same form again (a double click, or Back and submit): its
            # case exists. Before the duplicate check, which would now warn of it.
            return _already(request, already)
        duplicates = _duplicates(request, request.POST.get("staff_number", ""))
        if duplicates:
            # Warned now if not before: a reason is needed to go on.
            form.fields["duplicate_reason"].required = True
        if not form.is_valid():
            return self._render(request, form, 400, duplicates=duplicates)
        if form.cleaned_data["submission_key"] is None:
            # A form from before the key (an old tab) or without it: give it
            # one and ask again, rather than risk a second case.
            form = _with_new_key(request, reason_required=bool(duplicates))
            form.add_error(None, "Check the details below and submit the referral again.")
            return self._render(request, form, 400, duplicates=duplicates)
        try:
            case = services.referral_submit(
                actor=as_actor(request.user), duplicate_needs_reason=True, **form.service_kwargs()
            )
        except AlreadySubmitted as exc:  # the two arrived together
            return _already(request, exc.case)
        except DomainError as exc:
            action_forms.apply_domain_errors(form, exc)
            return self._render(request, form, exc.status_code, duplicates=duplicates)
        messages.success(request, f"Referral {case.reference} submitted for HR triage.")
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


def _already_submitted(request: HttpRequest) -> Case | None:
    try:
        key = uuid.UUID(request.POST.get("submission_key", "")[:64])
    except ValueError:
        return None
    return case_submitted_with(request.user, key)


def _already(request: HttpRequest, case: Case) -> HttpResponse:
    messages.info(
        request,
        f"This referral was submitted already, as {case.reference}. "
        "It was not submitted a second time.",
    )
    return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


def _with_new_key(request: HttpRequest, *, reason_required: bool) -> action_forms.ReferralForm:
    data = request.POST.copy()
    data["submission_key"] = str(uuid.uuid4())
    form = action_forms.ReferralForm(data)
    form.fields["duplicate_reason"].required = reason_required
    form.is_valid()
    return form


def _duplicates(request: HttpRequest, staff_number: str) -> OpenCases | None:
    """The open cases of the employee named on the form, as this manager may know them."""
    if len(staff_number) > 32 or CONTROL_CHARACTERS.search(staff_number):
        return None  # the form reports it; no query sees it
    employee = referable_employee(request.user, staff_number)
    if employee is None:
        return None
    return open_cases_for(request.user, employee.pk) or None


class EmployeeSearchForm(QueryForm):
    q = TextFilterField(
        label="Name or staff number",
        required=True,
        min_length=2,
        max_length=100,
        error_messages={
            "required": "Type at least 2 letters of a name or staff number.",
            "min_length": "Type at least 2 letters of a name or staff number.",
        },
    )


class EmployeePickerView(LoginRequiredMixin, View):
    """JSON for the referral form's employee picker: up to ``PICKER_LIMIT``
    employees the manager may refer (``access.EmployeeReferable``) whose name
    contains, or staff number starts with, ``q`` (2 to 100 characters)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, Role.MANAGER):
            return _no_store(JsonResponse({"error": ONLY_MANAGERS}, status=403))
        query = EmployeeSearchForm(request.GET)
        if not query.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in query.errors.items()}
            return _no_store(JsonResponse({"errors": errors}, status=400))
        rows = employees_referable_for(request.user, query.cleaned_data["q"])
        results: list[dict[str, Any]] = [
            {
                "staff_number": e.staff_number,
                "name": e.name,
                "job_title": e.job_title,
                "department": e.org_unit.name,
            }
            for e in rows[:PICKER_LIMIT]
        ]
        return _no_store(JsonResponse({"results": results, "more": len(rows) > PICKER_LIMIT}))
