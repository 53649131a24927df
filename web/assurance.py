"""The self-assessment and action-plan pages, at /assurance/ (docs/assurance.md).

- ``grid/``: the RAG grid, questions x ICSUs for a quarter with its trend:
  HR, decision-makers and governance viewers.
- ``questions/...``: the two question sets, adding, rewording (a new
  version), moving and retiring questions: HR advisers.
- ``answer/?question=&unit=&year=&quarter=``: one ICSU's answer for a
  quarter, with evidence text or a document: HR advisers.
- ``documents/<id>/``: an evidence document, as a download: HR advisers.
- ``actions/...``: the action plans; HR advisers add and change them, HR,
  decision-makers and governance viewers read every one, anyone else with a
  role in the trust the actions they own.

Refused people get a 403 before anything is read; the anonymous are sent to
log in; a bad query string or form is a 400 with the errors beside the
fields; a missing object a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views import View
from viewflow.urls import Application

from accounts.types import as_actor
from assurance import access
from assurance.documents import DocumentRefused, document_check, max_bytes
from assurance.models import Action, ActionStatus, QuestionSet
from assurance.plans import action_add, action_change, current_alerts
from assurance.quarters import Quarter
from assurance.selectors import (
    ActionFilters,
    action_get,
    actions_for_committee,
    actions_page,
    alert_text,
    answer_get,
    current_quarter,
    current_version,
    document_get,
    icsus,
    is_overdue,
    latest_answered_quarter,
    question_get,
    questions_of,
    rag_grid,
)
from assurance.services import (
    answer_save,
    icsu_get,
    question_add,
    question_retire,
    question_revise,
    questions_seed,
)
from core.errors import DomainError, NotFound
from core.inputs import InvalidQuery, parse_query

from .assurance_forms import (
    ActionForm,
    ActionListForm,
    AnswerForm,
    AnswerQuery,
    GridForm,
    QuestionEditForm,
    QuestionForm,
    QuestionSetForm,
)
from .forms import apply_domain_errors

PAGE_SIZE = 50
ALERTS_SHOWN = 10


class _Gate(LoginRequiredMixin, View):
    """Refuse (403) anyone ``allowed`` says no to, before anything is read."""

    refusal = access.MANAGE_REFUSAL

    def allowed(self, request: HttpRequest) -> bool:
        return access.can_manage(request.user)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not self.allowed(request):
            raise PermissionDenied(self.refusal)
        return super().dispatch(request, *args, **kwargs)


# --- the grid -----------------------------------------------------------------------


class GridView(_Gate):
    refusal = access.READ_REFUSAL

    def allowed(self, request: HttpRequest) -> bool:
        return access.can_read_all(request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = GridForm(request.GET)
        context: dict[str, Any] = {"title": "Self-assessment", "form": form}
        if not form.is_valid():
            return render(request, "assurance/grid.html", context, status=400)
        data = form.cleaned_data
        quarter = Quarter(data["year"], data["quarter"]) if data.get("year") else current_quarter()
        question_set = data.get("set") or QuestionSet.WRES3.value
        context.update(
            grid=rag_grid(question_set, quarter),
            set_label=QuestionSet(question_set).label,
            can_manage=access.can_manage(request.user),
        )
        return render(request, "assurance/grid.html", context)


# --- questions ----------------------------------------------------------------------


class QuestionListView(_Gate):
    def get(self, request: HttpRequest) -> HttpResponse:
        sets = [(s, questions_of(s.value)) for s in QuestionSet]
        rows = [(s, [(q, current_version(q), len(q.versions.all())) for q in qs]) for s, qs in sets]
        context = {"title": "Self-assessment questions", "sets": rows}
        return render(request, "assurance/questions.html", context)


class QuestionSeedView(_Gate):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = QuestionSetForm(request.POST)
        if not form.is_valid():
            raise InvalidQuery(form)
        added = questions_seed(actor=as_actor(request.user), question_set=form.cleaned_data["set"])
        messages.success(request, f"{added} starting questions added.")
        return HttpResponseRedirect(reverse("assurance:questions"))


class QuestionCreateView(_Gate):
    def get(self, request: HttpRequest) -> HttpResponse:
        question_set = parse_query(QuestionSetForm, request).cleaned_data["set"]
        return self._show(request, question_set, QuestionForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        question_set = parse_query(QuestionSetForm, request).cleaned_data["set"]
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                question_add(
                    actor=as_actor(request.user), question_set=question_set, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, "The question was added.")
                return HttpResponseRedirect(reverse("assurance:questions"))
        return self._show(request, question_set, form, status=400)

    def _show(
        self, request: HttpRequest, question_set: str, form: QuestionForm, status: int = 200
    ) -> HttpResponse:
        label = QuestionSet(question_set).label
        context = {"title": f"Add a question: {label}", "form": form, "set_label": label}
        return render(request, "assurance/question_form.html", context, status=status)


class QuestionEditView(_Gate):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = self._question(pk)
        wording = current_version(question)
        initial = {
            "text": wording.text,
            "guidance": wording.guidance,
            "position": question.position,
        }
        return self._show(request, question, QuestionEditForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = self._question(pk)
        form = QuestionEditForm(request.POST)
        if form.is_valid():
            try:
                question_revise(
                    actor=as_actor(request.user), question_id=question.pk, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, "The question was saved.")
                return HttpResponseRedirect(reverse("assurance:questions"))
        return self._show(request, question, form, status=400)

    def _question(self, pk: int) -> Any:
        question = question_get(pk)
        if question is None:
            raise Http404("No such question.")
        return question

    def _show(
        self, request: HttpRequest, question: Any, form: QuestionEditForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "title": f"Edit question {question.position}",
            "form": form,
            "question": question,
            "versions": list(question.versions.all())[::-1],
            "set_label": question.get_question_set_display(),
        }
        return render(request, "assurance/question_form.html", context, status=status)


class QuestionRetireView(_Gate):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        retire = request.POST.get("retire") != "no"
        try:
            question_retire(actor=as_actor(request.user), question_id=pk, retire=retire)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        messages.success(
            request, "The question was retired." if retire else "The question is back."
        )
        return HttpResponseRedirect(reverse("assurance:questions"))


# --- answers ------------------------------------------------------------------------


class AnswerView(_Gate):
    def get(self, request: HttpRequest) -> HttpResponse:
        question, unit, quarter = self._about(request)
        answer = answer_get(question.pk, unit.pk, quarter)
        initial: dict[str, Any] = {"owner": request.user.pk}
        if answer is not None:
            initial = {
                "rating": answer.rating,
                "evidence": answer.evidence,
                "owner": answer.owner_id,
            }
        return self._show(request, question, unit, quarter, answer, AnswerForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        question, unit, quarter = self._about(request)
        form = AnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                answer_save(
                    actor=as_actor(request.user),
                    question_id=question.pk,
                    org_unit_id=unit.pk,
                    quarter=quarter,
                    rating=form.cleaned_data["rating"],
                    evidence=form.cleaned_data["evidence"],
                    owner_id=form.cleaned_data["owner"].pk,
                    document=self._document(form),
                    remove_document=form.cleaned_data["remove_document"],
                )
            except DocumentRefused as exc:
                form.add_error("document", str(exc))
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(
                    request, f"The answer for {unit.name}, {quarter.label}, was saved."
                )
                query = urlencode(
                    {"set": question.question_set, "year": quarter.year, "quarter": quarter.quarter}
                )
                return HttpResponseRedirect(f"{reverse('assurance:grid')}?{query}")
        answer = answer_get(question.pk, unit.pk, quarter)
        return self._show(request, question, unit, quarter, answer, form, status=400)

    def _document(self, form: AnswerForm) -> Any:
        upload = form.cleaned_data.get("document")
        if not upload:
            return None
        # Read at most one byte more than allowed: enough to know it is too big.
        data = upload.read(max_bytes() + 1)
        return document_check(name=upload.name or "", data=data)

    def _about(self, request: HttpRequest) -> tuple[Any, Any, Quarter]:
        data = parse_query(AnswerQuery, request).cleaned_data
        question = question_get(data["question"])
        if question is None:
            raise Http404("No such question.")
        try:
            unit = icsu_get(data["unit"])
        except NotFound as exc:
            raise Http404(exc.message) from exc
        return question, unit, Quarter(data["year"], data["quarter"])

    def _show(
        self,
        request: HttpRequest,
        question: Any,
        unit: Any,
        quarter: Quarter,
        answer: Any,
        form: AnswerForm,
        status: int = 200,
    ) -> HttpResponse:
        wording = answer.version if answer is not None else current_version(question)
        context = {
            "title": f"{unit.name}, {quarter.label}: question {question.position}",
            "question": question,
            "wording": wording,
            "latest": current_version(question),
            "unit": unit,
            "quarter": quarter,
            "answer": answer,
            "form": form,
            "grid_query": urlencode(
                {"set": question.question_set, "year": quarter.year, "quarter": quarter.quarter}
            ),
        }
        return render(request, "assurance/answer_form.html", context, status=status)


class DocumentView(_Gate):
    """An evidence document, always as a download of its checked type."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = document_get(pk)
        if document is None:
            raise Http404("No such document.")
        response = HttpResponse(bytes(document.data), content_type=document.content_type)
        response["Content-Disposition"] = f'attachment; filename="{document.name}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- actions ------------------------------------------------------------------------


def _unit_choices() -> list[tuple[int, str]]:
    return [(u.pk, f"{u.name} ({u.code})") for u in icsus()]


def _question_choices() -> list[tuple[int, str]]:
    out = []
    for s in QuestionSet:
        for q in questions_of(s.value):
            text = current_version(q).text
            short = text if len(text) <= 80 else text[:77] + "..."
            out.append((q.pk, f"{s.label} {q.position}: {short}"))
    return out


class ActionListView(_Gate):
    def allowed(self, request: HttpRequest) -> bool:
        return access.can_open_actions(request.user)

    refusal = "Only people with a role in this trust see action plans."

    def get(self, request: HttpRequest) -> HttpResponse:
        units = _unit_choices()
        form = ActionListForm(request.GET, units=units)
        context: dict[str, Any] = {"title": "Action plans", "form": form}
        if not form.is_valid():
            return render(request, "assurance/actions.html", context, status=400)
        data = form.cleaned_data
        filters = ActionFilters(
            status=data.get("status") or "",
            org_unit_id=data.get("unit") or None,
            committee=data.get("committee") or "",
            overdue=bool(data.get("overdue")),
        )
        page = actions_page(
            user=request.user, filters=filters, cursor=data.get("cursor"), size=PAGE_SIZE
        )
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        context.update(
            page=page,
            rows=[(a, is_overdue(a), alert_text(a, request.user)) for a in page],
            query=urlencode(query),
            can_manage=access.can_manage(request.user),
            reads_all=access.can_read_all(request.user),
        )
        return render(request, "assurance/actions.html", context)


class _ActionFormView(_Gate):
    def _form(self, request: HttpRequest, **kwargs: Any) -> ActionForm:
        return ActionForm(units=_unit_choices(), questions=_question_choices(), **kwargs)

    def _show(
        self, request: HttpRequest, form: ActionForm, action: Action | None, status: int = 200
    ) -> HttpResponse:
        alerts = current_alerts()
        context = {
            "title": "Add an action" if action is None else f"Edit action: {action.title}",
            "form": form,
            "action": action,
            "alerts": alerts[:ALERTS_SHOWN],
            "alerts_more": max(0, len(alerts) - ALERTS_SHOWN),
        }
        return render(request, "assurance/action_form.html", context, status=status)


class ActionCreateView(_ActionFormView):
    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"owner": request.user.pk, "status": ActionStatus.OPEN.value}
        return self._show(request, self._form(request, initial=initial), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, data=request.POST)
        if form.is_valid():
            try:
                action_add(actor=as_actor(request.user), data=form.action_fields())
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, "The action was added.")
                return HttpResponseRedirect(reverse("assurance:actions"))
        return self._show(request, form, None, status=400)


class ActionEditView(_ActionFormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self._action(pk)
        initial = {
            "title": action.title,
            "org_unit": action.org_unit_id,
            "indicator": action.indicator,
            "question": action.question_id,
            "alert_level": action.alert_level,
            "alert_key": action.alert_key,
            "owner": action.owner_id,
            "due_on": action.due_on,
            "status": action.status,
            "committee": action.committee,
            "you_said": action.you_said,
            "we_did": action.we_did,
        }
        return self._show(request, self._form(request, initial=initial), action)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = self._action(pk)
        form = self._form(request, data=request.POST)
        if form.is_valid():
            try:
                action_change(
                    actor=as_actor(request.user), action_id=action.pk, data=form.action_fields()
                )
            except DomainError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, "The action was saved.")
                return HttpResponseRedirect(reverse("assurance:actions"))
        return self._show(request, form, action, status=400)

    def _action(self, pk: int) -> Action:
        action = action_get(pk)
        if action is None:
            raise Http404("No such action.")
        return action


class AssuranceApp(Application):
    """Self-assessment and action plans, at /assurance/ in the product's viewflow Site."""

    title = "Self-assessment and actions"
    icon = "fact_check"
    app_name = "assurance"
    menu_template_name = "workflow/menu.html"
    # The anonymous pass so that the views can send them to log in; each view
    # checks its own roles.
    permission = staticmethod(
        lambda user: not user.is_authenticated or access.can_open_actions(user)
    )

    index_path = path("", GridView.as_view(), name="index")
    grid_path = path("grid/", GridView.as_view(), name="grid")
    questions_path = path("questions/", QuestionListView.as_view(), name="questions")
    question_new_path = path("questions/new/", QuestionCreateView.as_view(), name="question_new")
    question_seed_path = path("questions/seed/", QuestionSeedView.as_view(), name="question_seed")
    question_edit_path = path(
        "questions/<int:pk>/", QuestionEditView.as_view(), name="question_edit"
    )
    question_retire_path = path(
        "questions/<int:pk>/retire/", QuestionRetireView.as_view(), name="question_retire"
    )
    answer_path = path("answer/", AnswerView.as_view(), name="answer")
    document_path = path("documents/<int:pk>/", DocumentView.as_view(), name="document")
    actions_path = path("actions/", ActionListView.as_view(), name="actions")
    action_new_path = path("actions/new/", ActionCreateView.as_view(), name="action_new")
    action_edit_path = path("actions/<int:pk>/", ActionEditView.as_view(), name="action_edit")


# --- the governance pack's parts (web/reports.py) -----------------------------------


def pack_self_assessment() -> list[tuple[str, Any]]:
    """Each question set's grid for the latest quarter answered (or the current one)."""
    quarter = latest_answered_quarter() or current_quarter()
    return [(s.label, rag_grid(s.value, quarter)) for s in QuestionSet]


def pack_actions(committee: str) -> list[tuple[Action, bool, str]]:
    """The actions addressed to ``committee``: each with whether it is
    overdue and its alert as a pack shows it (never a manager's number)."""
    return [(a, is_overdue(a), alert_text(a, None)) for a in actions_for_committee(committee)]
