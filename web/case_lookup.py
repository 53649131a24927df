"""The one way a case's own pages (its documents, notes, letters, owner and
action forms) find the case: as their viewer may see it, through
``workflow.selectors.case_get_for``, or a 404 that says nothing more.

These pages never show the employee's ethnic category, so none of them is a
showing of it (only the case page itself may be, ADR 0014).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from core.errors import NotFound
from workflow.selectors import CaseView, case_get_for


def case_view_or_404(request: HttpRequest, pk: int) -> CaseView:
    try:
        return case_get_for(request.user, pk, shows_ethnicity=False)
    except NotFound as exc:
        raise Http404(exc.message) from exc
