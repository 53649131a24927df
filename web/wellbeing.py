"""The case's full check-in history (``wellbeing``), a keyset page at a time.

The case page's wellbeing card shows the newest few; this page pages the
rest. HR advisers on the case and its named wellbeing contact only
(``workflow.access.WellbeingVisible``): anyone else who may see the case is
refused (403), anyone who may not gets the same 404 as for a missing case.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from core.inputs import parse_query
from wellbeing.selectors import checkins_page
from workflow.access import WellbeingVisible

from .case_lookup import case_view_or_404
from .filters import CursorForm

REFUSAL = "Only HR advisers on the case and the employee's wellbeing contact see its check-ins."


class CheckInsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = case_view_or_404(request, pk)
        case = view._case
        if not WellbeingVisible.allows(request.user, case):
            raise PermissionDenied(REFUSAL)
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        page = checkins_page(request.user, case, cursor)
        return render(
            request,
            "wellbeing/checkins.html",
            {
                "case": view.minimum,
                "page": page,
                "title": f"Wellbeing check-ins: {case.reference}",
            },
        )
