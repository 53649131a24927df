"""The case list as a file: CSV or XLSX, as filtered, searched and sorted.

HR advisers only (``access.CaseListExport``; 403 for anyone else, the
anonymous sent to log in). The rows are the list's own
(``workflow.selectors.case_list_for``, so ``access.CaseVisible`` scopes them
and ``access.DetailsVisible`` decides each row's details), read a chunk at a
time: the CSV streams as it is written, the XLSX is written row by row into
a temporary file (``audit.exports``). Every text cell is formula-safe. The
export is recorded in the audit log before its first byte is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils import timezone
from django.views import View

from accounts.types import Viewer, as_actor
from audit import exports
from audit.models import EventType
from audit.services import audit_record
from core.inputs import parse_query
from web.filters import CaseListFilterForm
from workflow.access import CaseListExport
from workflow.models import Case
from workflow.selectors import case_list_for

REFUSAL = "Only HR advisers can download the case list."
HEADER = (
    "Reference",
    "Employee",
    "Staff number",
    "Department",
    "Concern",
    "Stage",
    "Due",
    "Outcome",
    "Submitted",
    "Referring manager",
    "Case owner",
)
# Rows read from the database at a time: memory follows this, not the list.
CHUNK = 500


def may_export_case_list(user: Viewer) -> bool:
    """Whether the case list offers ``user`` its download links."""
    return CaseListExport.allows(user)


def case_rows(cases: QuerySet[Case]) -> Iterator[tuple[Any, ...]]:
    """One tuple per case, in the list's order, each as its viewer may see it
    (``access.ShownCase``: no department, concern or staff number on a row
    whose details are withheld). Never the ethnic category."""
    row: Any  # an access.ShownCase, where the queryset's type says Case
    for row in cases.iterator(chunk_size=CHUNK):
        case = row
        details = case.details_shown
        manager = case.referring_manager
        owner = case.owner
        yield (
            case.reference,
            case.employee_name,
            case.employee_staff_number if details else "",
            case.employee_org_unit.name if details else "",
            case.get_concern_category_display() if details else "",
            case.get_stage_display(),
            case.due_on if case.is_open and case.due_on else "",
            case.get_outcome_display() if case.outcome else "",
            timezone.localtime(case.submitted_at).date(),
            manager.get_full_name() or manager.get_username(),
            (owner.get_full_name() or owner.get_username()) if owner else "Not assigned",
        )


class CaseListExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404("The case list downloads as CSV or XLSX.")
        if not CaseListExport.allows(request.user):
            raise PermissionDenied(REFUSAL)
        # Checked before anything is read or recorded: a bad filter or sort is
        # the 400 page naming it, and no export is recorded.
        query = parse_query(CaseListFilterForm, request)
        params = query.filters()
        cases = case_list_for(
            request.user,
            stage=params["stage"],
            org_unit=params["org_unit"],
            outcome=params["outcome"],
            search=query.cleaned_data["q"],
            sort=query.sort_key(),
            owned=query.owned(),
        )
        count = cases.count()
        if fmt == "xlsx" and count > exports.XLSX_MAX_ROWS:
            return HttpResponseBadRequest("Too many cases for one spreadsheet; narrow the filters.")
        audit_record(
            case=None,
            actor=as_actor(request.user),
            action=EventType.EXPORT,
            payload={"kind": "case_list", "format": fmt, "filters": query.kept(), "rows": count},
        )
        return _file(fmt, case_rows(cases))


def _file(fmt: str, rows: Iterator[tuple[Any, ...]]) -> HttpResponse | StreamingHttpResponse:
    name = f"cases-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        workbook = exports.xlsx_file(rows, header=HEADER, title="Cases")
        return FileResponse(workbook, as_attachment=True, filename=name)
    response = StreamingHttpResponse(
        exports.csv_lines(rows, header=HEADER), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
