"""Case pages. Views validate a form, call one service, and show the result.

Every page is scoped by ``workflow.selectors``; every change goes through a
service, so the web UI can do nothing the rules do not allow.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View

from accounts.roles import Role, has_role, user_roles
from accounts.types import as_actor
from core.errors import DomainError, NotFound
from core.inputs import parse_query
from core.paging import keyset_page
from formal.selectors import formal_card_for
from panels.selectors import my_open_seats, next_action, panel_work_for, panels_to_fill
from records.retention_selectors import tombstone_get
from regional.selectors import can_see_regional
from staff.models import OrgUnit
from suspensions.selectors import case_suspensions_for
from voice.selectors import account_card
from web.filters import CaseListFilterForm, CursorForm, PanelPrefillForm
from web.panel_forms import DeclareForm, ReplaceMembersForm, ViewForm
from wellbeing.selectors import wellbeing_card_for
from workflow.models import Outcome, Stage
from workflow.referral_selectors import linked_open_cases_for
from workflow.rules import Action
from workflow.selectors import (
    CASE_LIST_SORTS,
    INBOX_ORDER,
    case_get_for,
    case_list_for,
    case_search,
    inbox_for,
)
from workflow.services import ACTION_SERVICES

from . import formal_forms, suspension_forms, voice_forms, wellbeing_forms
from . import forms as action_forms
from .account_link import account_link_issued
from .case_documents import documents_preview
from .case_export import may_export_case_list
from .case_lookup import case_view_or_404
from .case_notes import notes_preview
from .chart import case_flow_chart
from .retention import tombstone_page
from .stages import stage_steps

PAGE_SIZE = 25

# The form each action's page shows; the service it calls is the engine's
# (``workflow.services.ACTION_SERVICES``), the same one the API calls.
# suggest_panel is not here: it has a page of its own (``cases:panel_suggestion``).
ACTION_FORMS: dict[Action, type[action_forms.ActionForm]] = {
    Action.TRIAGE: action_forms.TriageForm,
    Action.RESUBMIT: action_forms.ResubmitForm,
    Action.RECORD_INFORMAL_OUTCOME: action_forms.InformalOutcomeForm,
    Action.RECORD_EMPLOYEE_TOLD: voice_forms.EmployeeToldForm,
    Action.ISSUE_ACCOUNT_LINK: voice_forms.AccountLinkForm,
    Action.RECORD_ACCOUNT: voice_forms.AccountRecordForm,
    Action.CONVENE_PANEL: action_forms.ConveneForm,
    Action.REPLACE_MEMBERS: ReplaceMembersForm,
    Action.DECLARE: DeclareForm,
    Action.RECORD_VIEW: ViewForm,
    Action.DECIDE: action_forms.DecideForm,
    Action.SIGNOFF: action_forms.SignoffForm,
    Action.RECORD_SUSPENSION: suspension_forms.RecordSuspensionForm,
    Action.REVIEW_SUSPENSION: suspension_forms.ReviewSuspensionForm,
    Action.LIFT_SUSPENSION: suspension_forms.LiftSuspensionForm,
    Action.SET_WELLBEING_CONTACT: wellbeing_forms.WellbeingContactForm,
    Action.RECORD_CHECKIN: wellbeing_forms.CheckInForm,
    Action.WITHDRAW: action_forms.WithdrawForm,
    # The formal process after sign-off (formal/).
    Action.NAME_INVESTIGATOR: formal_forms.NameInvestigatorForm,
    Action.RECORD_INVESTIGATION_OUTCOME: formal_forms.InvestigationOutcomeForm,
    Action.SCHEDULE_HEARING: formal_forms.ScheduleHearingForm,
    Action.RECORD_HEARING_OUTCOME: formal_forms.HearingOutcomeForm,
    Action.LODGE_APPEAL: formal_forms.LodgeAppealForm,
    Action.RECORD_APPEAL_OUTCOME: formal_forms.AppealOutcomeForm,
    Action.CONCLUDE_FORMAL: formal_forms.ConcludeFormalForm,
}


class LandingView(LoginRequiredMixin, View):
    """Each role lands where its work is."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if has_role(request.user, Role.GOVERNANCE) and not has_role(
            request.user, Role.HR, Role.MANAGER, Role.PANEL, Role.DECISION_MAKER
        ):
            return HttpResponseRedirect(reverse("cases:overview"))
        if not user_roles(request.user) and can_see_regional(request.user):
            # A regional viewer holds no role in any trust: their work is the benchmark.
            return HttpResponseRedirect(reverse("regional:index"))
        return HttpResponseRedirect(reverse("cases:inbox"))


class InboxView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        query = parse_query(CursorForm, request)
        # Keyset pages (core.paging): a page costs the same however many tasks wait.
        page = keyset_page(
            inbox_for(request.user),
            order=INBOX_ORDER,
            cursor=query.cleaned_data["cursor"],
            size=PAGE_SIZE,
        )
        # Declarations and views are not flow tasks (the chair's decide task
        # waits for them), so a panel member's share of the work is listed apart.
        seats = my_open_seats(request.user) if has_role(request.user, Role.PANEL) else []
        panel_work = panel_work_for(request.user, seats)
        # Each row says what to do next in the same words as the panel work.
        for task in page.rows:
            task.next_action = next_action(
                step=task.flow_task.name,
                title=task.flow_task.task_title,
                seats=seats,
                case_id=task.process.case.pk,
            )
        # A member who declared a conflict leaves a seat for HR to fill: no task
        # either. The first page of them; the Panels page has the rest.
        to_fill = panels_to_fill() if has_role(request.user, Role.HR) else None
        return render(
            request,
            "workflow/inbox.html",
            {"page": page, "panel_work": panel_work, "to_fill": to_fill, "title": "Inbox"},
        )


class CaseListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        # Checked at the door: a filter the list does not offer is a 400 naming it.
        query = parse_query(CaseListFilterForm, request)
        params = query.filters()
        sort = query.sort_key()
        qs = case_list_for(
            request.user,
            stage=params["stage"],
            org_unit=params["org_unit"],
            outcome=params["outcome"],
            sort=sort,
            owned=query.owned(),
        )
        found = (
            case_search(request.user, qs, query.cleaned_data["q"])
            if query.cleaned_data["q"]
            else None
        )
        if found is not None:
            qs = found.cases
        page = keyset_page(
            qs, order=CASE_LIST_SORTS[sort], cursor=query.cleaned_data["cursor"], size=PAGE_SIZE
        )
        kept = query.kept()
        return render(
            request,
            "workflow/case_list.html",
            {
                "page": page,
                # HR and decision-makers see every case; anyone else only their own.
                "title": "Cases"
                if has_role(request.user, Role.HR, Role.DECISION_MAKER)
                else "My cases",
                "stages": Stage.choices,
                "outcomes": Outcome.choices,
                "org_units": OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).only(
                    "code", "name"
                ),
                "filters": params,
                "owned": query.owned(),
                "search": query.cleaned_data["q"],
                # No case contains the text: the rows are close matches by name.
                "close_matches": found is not None and found.close,
                "sort": sort,
                # Each column's sort link: keeps the filters and search, and
                # reverses the column's order when it is the one sorted by.
                "sort_links": _sort_links(kept, sort),
                # The page links keep the filters, search and sort that were set.
                "query": urlencode(kept),
                # HR advisers may download the list as it is filtered and sorted.
                "can_export": may_export_case_list(request.user),
            },
        )


def _sort_links(kept: dict[str, str], sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the query string of its link and how the
    list is sorted by it now ("ascending", "descending" or "none", for
    ``aria-sort``)."""
    others = {k: v for k, v in kept.items() if k != "sort"}
    links: dict[str, dict[str, str]] = {}
    for column in ("reference", "employee", "submitted"):
        # A column not sorted by starts in its natural order: newest first for
        # the date, A to Z for the rest; a second click reverses it.
        first = "-submitted" if column == "submitted" else column
        current = sort if sort.lstrip("-") == column else ""
        target = (column if current.startswith("-") else f"-{column}") if current else first
        state = "descending" if current.startswith("-") else "ascending" if current else "none"
        links[column] = {"query": urlencode({**others, "sort": target}), "state": state}
    return links


def _case_context(request: HttpRequest, case_id: int) -> dict[str, Any]:
    try:
        view = case_get_for(request.user, case_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    # Templates get the case only as this person may see it (access.ShownCase).
    return {
        "view": view,
        "case": view.case,
        "title": f"Case {view.case.reference}",
        "flow_chart": case_flow_chart(view.case.process_id),
        "stage_steps": stage_steps(view._case),
        "linked_cases": linked_open_cases_for(request.user, view),
    }


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            context = _case_context(request, pk)
        except Http404:
            # A destroyed case file is a tombstone HR may open; a 404 to anyone else.
            tombstone = tombstone_get(user=request.user, case_id=pk)
            if tombstone is None:
                raise
            return tombstone_page(request, tombstone)
        if context["view"].restricted:
            # A panel member yet to declare sees the reference, the people and what to do.
            return render(request, "panels/case_restricted.html", context)
        # The latest notes this person may read (access.FileVisible).
        context["case_notes"] = notes_preview(request, context["view"])
        # The newest documents this person may read (access.FileVisible).
        context["case_documents"] = documents_preview(request, context["view"])
        # The suspension register's card, for those access.SuspensionVisible allows.
        context["case_suspensions"] = case_suspensions_for(request.user, context["view"]._case)
        # The wellbeing card, for those access.WellbeingVisible allows.
        context["wellbeing"] = wellbeing_card_for(request.user, context["view"]._case)
        # The formal process's card, for those access.FormalVisible allows.
        context["formal"] = formal_card_for(request.user, context["view"]._case)
        # The employee's own account, for those access.AccountVisible allows.
        context["employee_account"] = account_card(request.user, context["view"]._case)
        return render(request, "workflow/case_detail.html", context)


class CaseActionView(LoginRequiredMixin, View):
    """One form per action; the service decides whether it may happen."""

    def _setup(self, request: HttpRequest, pk: int, action: str) -> tuple[Action, Any]:
        try:
            act = Action(action)
        except ValueError as exc:
            raise Http404("No such action.") from exc
        if act not in ACTION_FORMS:  # suggest_panel has its own page
            raise Http404("No such action.")
        return act, case_view_or_404(request, pk)

    def _render(
        self,
        request: HttpRequest,
        act: Action,
        view: Any,
        form: forms.Form | None,
        status: int = 200,
        notice: str = "",
    ) -> HttpResponse:
        # A refused page (the action is not this person's to take now) shows the
        # notice and the case's reference and stage only: no form, no content.
        refused = form is None
        return render(
            request,
            "workflow/case_action.html",
            {
                "form": form,
                "action": act,
                "case": view.minimum if refused else view.case,
                "view": view,
                "refused": refused,
                "title": f"{act.label}: {view.case.reference}",
                "notice": notice,
                "linked_cases": None if refused else linked_open_cases_for(request.user, view),
                # The chair decides with the employee's account in front of them.
                "employee_account": account_card(request.user, view._case)
                if act == Action.DECIDE and not refused
                else None,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action == Action.SUGGEST_PANEL:  # a page of its own, not a form
            return HttpResponseRedirect(reverse("cases:panel_suggestion", args=[pk]))
        act, view = self._setup(request, pk, action)
        if act not in view.actions:
            # 409 as a POST would answer: the case is not at a step where it
            # applies for this person. Nothing is pre-filled for someone who may
            # not take the action now: no form at all, only the notice.
            notice = "You cannot take this action on this case now."
            return self._render(request, act, view, None, status=409, notice=notice)
        form_class = ACTION_FORMS[act]
        initial: dict[str, Any] = {"version": view.case.version, **_initial(act, view, request)}
        if act == Action.RESUBMIT:
            # view.case gives the substance only where access.DetailsVisible allows.
            initial.update(
                summary=view.case.summary, informal_steps_tried=view.case.informal_steps_tried
            )
        form = form_class(initial=initial)
        return self._render(request, act, view, form)

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        act, view = self._setup(request, pk, action)
        form_class = ACTION_FORMS[act]
        form = form_class(request.POST, request.FILES, initial=_initial(act, view, request))
        if not form.is_valid():
            return self._render(request, act, view, form, status=400)
        try:
            if act == Action.ISSUE_ACCOUNT_LINK:
                # The raw link is shown once, on this answer (web/account_link.py).
                return account_link_issued(request, view, form.service_kwargs())
            ACTION_SERVICES[act](case_id=pk, actor=as_actor(request.user), **form.service_kwargs())
        except DomainError as exc:
            action_forms.apply_domain_errors(form, exc)
            return self._render(request, act, view, form, status=exc.status_code)
        messages.success(request, f"{act.label}: done.")
        return HttpResponseRedirect(reverse("cases:detail", args=[pk]))


def _initial(act: Action, view: Any, request: HttpRequest) -> dict[str, Any]:
    """What a form starts from: the guide's answers for the decision; the members
    from a suggested panel (``?members=..&chair=..``) for convening or replacing."""
    if act == Action.DECIDE:
        return action_forms.DecideForm.initial_for(view.case)
    if act in (Action.CONVENE_PANEL, Action.REPLACE_MEMBERS) and request.method == "GET":
        # User ids only; anything else in the link is a 400 (filters.InvalidQuery).
        return parse_query(PanelPrefillForm, request).initial_values()
    return {}
