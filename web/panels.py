"""Panel pages: a member's "my panels", HR's panels dashboard, the suggested panel.

Thin: each asks a selector or one service and renders.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views import View

from accounts.roles import Role, has_role
from accounts.types import as_actor
from core.errors import DomainError, NotFound
from core.inputs import parse_query
from panels import state
from panels.selectors import my_open_seats, my_past_seats, panels_dashboard
from panels.services import panel_suggest
from panels.state import current_panel
from web.filters import CursorForm, PanelsPageForm
from workflow.models import Case


class MyPanelsView(LoginRequiredMixin, View):
    """Every panel I was convened on, and what each needs from me now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, Role.PANEL):
            raise PermissionDenied("Only panel members have panels.")
        query = parse_query(CursorForm, request)
        cursor = query.cleaned_data["cursor"]
        # Open seats are few (bounded by open cases); past ones are paged.
        context = {
            "open_seats": [] if cursor else my_open_seats(request.user),
            "past": my_past_seats(request.user, cursor=cursor),
            "paged": cursor is not None,
            "title": "My panels",
        }
        return render(request, "panels/my_panels.html", context)


class PanelsDashboardView(LoginRequiredMixin, View):
    """HR: cases at the panel stage, by what each is waiting for."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, Role.HR):
            raise PermissionDenied("Only HR advisers see every panel.")
        pages = parse_query(PanelsPageForm, request).pages()
        groups = panels_dashboard(pages)
        # Each group's page links keep the other groups' pages.
        links = {g.key: urlencode({k: v for k, v in pages.items() if k != g.key}) for g in groups}
        return render(
            request,
            "panels/dashboard.html",
            {"title": "Panels", "groups": [(g, links[g.key]) for g in groups]},
        )


class PanelSuggestionView(LoginRequiredMixin, View):
    """HR: the suggested panel and why each pool member is in or out. Asking is
    audited (it reads the pool's conflicts and availability) and changes nothing."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            suggestion = panel_suggest(case_id=pk, actor=as_actor(request.user))
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            case = Case.objects.only("pk", "reference").get(pk=pk)
            context = {"case": case, "error": exc.message, "title": "Suggested panel"}
            return render(request, "panels/suggestion.html", context, status=exc.status_code)
        case = Case.objects.only("pk", "reference", "stage").get(pk=pk)
        panel = current_panel(case)
        sitting = {m.user_id for m in state.sitting(panel)} if panel else set()
        return render(
            request,
            "panels/suggestion.html",
            {
                "case": case,
                "suggestion": suggestion,
                "replacing": panel is not None,
                # For the "convene / replace with these" link: who is new, and the
                # chair when it changes.
                "new_members": [i for i in suggestion.member_ids if i not in sitting],
                "new_chair": suggestion.chair_id
                if panel is None or suggestion.chair_id != panel.chair_id
                else None,
                "title": f"Suggested panel: {case.reference}",
            },
        )
