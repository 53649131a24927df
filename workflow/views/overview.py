from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from accounts.roles import Role, has_role
from workflow.models import Case, Outcome, Stage

# Counts below this are shown as "fewer than 5" in anything that leaves HR.
SMALL_CELL = 5


def suppress(count: int) -> str:
    return "fewer than 5" if 0 < count < SMALL_CELL else str(count)


class OverviewView(LoginRequiredMixin, View):
    """The funnel in aggregate, for governance: no individual case is shown."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, Role.GOVERNANCE, Role.HR, Role.DECISION_MAKER):
            raise PermissionDenied("Only governance, HR and decision-makers see the overview.")
        by_stage = dict(Case.objects.values_list("stage").annotate(n=Count("id")))
        by_outcome = dict(
            Case.objects.exclude(outcome="").values_list("outcome").annotate(n=Count("id"))
        )
        return render(
            request,
            "workflow/overview.html",
            {
                "title": "Overview",
                "stages": [
                    (label, suppress(by_stage.get(value, 0))) for value, label in Stage.choices
                ],
                "outcomes": [
                    (label, suppress(by_outcome.get(value, 0))) for value, label in Outcome.choices
                ],
            },
        )
