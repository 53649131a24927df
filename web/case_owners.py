"""Case owners and out-of-office delegations (docs/case-owners.md).

* ``cases:case_owner``: an HR lead changes one case's owner.
* ``cases:owners``: an HR lead's list of HR advisers with their open cases
  (paged), and "reassign all of this person's open cases to ...", confirmed
  on a second page that says how many cases will move.
* ``cases:away``: anyone sets or ends their own out-of-office delegation; an
  HR lead may set one for someone else.

Views validate a form and call one service (``workflow.services.owner`` and
``workflow.services.delegation``); the services check who may.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from accounts.roles import Role, has_role
from accounts.types import as_actor
from core.errors import DomainError, NotFound
from core.inputs import parse_query
from core.paging import keyset_page
from web.filters import CursorForm
from workflow.models import Case, Stage
from workflow.owner_selectors import OWNERS_ORDER, hr_advisers, owners_with_open_cases
from workflow.services.delegation import delegation_end, delegation_set, delegations_of
from workflow.services.owner import owner_reassign, owner_reassign_all

from .case_lookup import case_view_or_404
from .forms import apply_domain_errors

PAGE_SIZE = 25


def _lead_only(request: HttpRequest) -> None:
    if not has_role(request.user, Role.HR_LEAD):
        raise PermissionDenied("Only an HR lead can change case owners.")


def _advisers() -> list[tuple[Any, str]]:
    return [(u.pk, u.get_full_name() or u.username) for u in hr_advisers()]


class OwnerForm(forms.Form):
    new_owner = forms.TypedChoiceField(label="New owner", coerce=int, choices=[])
    reason = forms.CharField(
        label="Why the owner is changing", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["new_owner"]).choices = _advisers()


class CaseOwnerView(LoginRequiredMixin, View):
    """Change one case's owner (HR leads)."""

    def _case(self, request: HttpRequest, pk: int) -> Any:
        _lead_only(request)
        return case_view_or_404(request, pk)

    def _render(
        self, request: HttpRequest, view: Any, form: OwnerForm, status: int = 200
    ) -> HttpResponse:
        context = {"view": view, "case": view.minimum, "form": form, "owner": view.case.owner}
        context["title"] = f"Change owner: {view.case.reference}"
        return render(request, "workflow/case_owner.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = self._case(request, pk)
        return self._render(request, view, OwnerForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = self._case(request, pk)
        form = OwnerForm(request.POST)
        if not form.is_valid():
            return self._render(request, view, form, status=400)
        try:
            owner_reassign(
                case_id=pk,
                actor=as_actor(request.user),
                new_owner=form.cleaned_data["new_owner"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
            return self._render(request, view, form, status=exc.status_code)
        messages.success(request, "The case owner was changed.")
        return HttpResponseRedirect(reverse("cases:detail", args=[pk]))


class HandoverForm(forms.Form):
    from_user = forms.TypedChoiceField(label="Current owner", coerce=int, choices=[])
    to_user = forms.TypedChoiceField(label="Reassign their open cases to", coerce=int, choices=[])
    reason = forms.CharField(label="Why", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_user", "to_user"):
            cast(forms.TypedChoiceField, self.fields[name]).choices = _advisers()


class OwnersView(LoginRequiredMixin, View):
    """The HR advisers with their open cases, and a leaver's handover (HR leads)."""

    def _render(
        self, request: HttpRequest, form: HandoverForm, status: int = 200, **extra: Any
    ) -> HttpResponse:
        query = parse_query(CursorForm, request)
        page = keyset_page(
            owners_with_open_cases(),
            order=OWNERS_ORDER,
            cursor=query.cleaned_data["cursor"],
            size=PAGE_SIZE,
        )
        context = {"page": page, "form": form, "title": "Case owners", **extra}
        return render(request, "workflow/case_owners.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        _lead_only(request)
        return self._render(request, HandoverForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        _lead_only(request)
        form = HandoverForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        if not data["confirm"]:
            # First the count: the lead confirms on a page that says how many move.
            count = Case.objects.filter(
                owner_id=data["from_user"], stage__in=Stage.open_values()
            ).count()
            people = dict(_advisers())
            confirming = HandoverForm(initial={**data, "confirm": True})
            return self._render(
                request,
                confirming,
                confirm={
                    "count": count,
                    "from_name": people.get(data["from_user"], ""),
                    "to_name": people.get(data["to_user"], ""),
                },
            )
        try:
            done = owner_reassign_all(
                actor=as_actor(request.user),
                from_user=data["from_user"],
                to_user=data["to_user"],
                reason=data["reason"],
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
            return self._render(request, form, status=exc.status_code)
        kept = f" Kept (the new owner referred them): {', '.join(done.kept)}." if done.kept else ""
        messages.success(request, f"{done.moved} open cases were reassigned.{kept}")
        return HttpResponseRedirect(reverse("cases:owners"))


DATE = forms.DateInput(attrs={"type": "date"})


class DelegationForm(forms.Form):
    person = forms.CharField(
        label="Who is away (username)",
        max_length=150,
        required=False,
        help_text="HR leads only: leave blank for yourself.",
    )
    delegate = forms.CharField(label="Who covers (username)", max_length=150)
    starts_on = forms.DateField(
        label="First day away", widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label="Last day away", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason", max_length=200, required=False)


def _user_id(username: str) -> int:
    """The id of the active login ``username``; 0 (nobody) if there is none,
    which the service refuses with a message on the field."""
    found = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    return found.pk if found is not None else 0


class AwayView(LoginRequiredMixin, View):
    """Your out-of-office delegations: set one, end one."""

    def _render(
        self, request: HttpRequest, form: DelegationForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "delegations": delegations_of(as_actor(request.user).pk),
            "is_lead": has_role(request.user, Role.HR_LEAD),
            "title": "Away: who covers your work",
        }
        return render(request, "workflow/away.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, DelegationForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DelegationForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        data = form.cleaned_data
        person = _user_id(data["person"]) if data["person"] else as_actor(request.user).pk
        try:
            delegation_set(
                actor=as_actor(request.user),
                person_id=person,
                delegate_id=_user_id(data["delegate"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
            return self._render(request, form, status=exc.status_code)
        messages.success(request, "The delegation was set.")
        return HttpResponseRedirect(reverse("cases:away"))


class AwayEndView(LoginRequiredMixin, View):
    """End a delegation now (POST only)."""

    def post(self, request: HttpRequest, delegation: int) -> HttpResponse:
        try:
            delegation_end(actor=as_actor(request.user), delegation_id=delegation)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("cases:away"))
        messages.success(request, "The delegation was ended.")
        return HttpResponseRedirect(reverse("cases:away"))
