"""The case-path explorer: one case's timeline, and search and export across cases.

HR advisers and decision-makers only (403 for anyone else; the anonymous are
sent to log in). Views read through ``workflow.audit_selectors``; an export is itself
recorded in the log before its first byte is sent.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from accounts.types import as_actor
from audit import exports
from audit.models import AuditEvent
from audit.services import audit_export_record
from core.errors import NotAllowed, NotFound
from core.inputs import parse_query
from core.paging import keyset_page
from web.audit_forms import EventFilterForm
from web.chart import case_flow_chart
from web.event_text import event_details
from web.filters import CursorForm
from workflow.audit_selectors import (
    REFUSAL,
    SEARCH_ORDER,
    can_explore,
    case_timeline_for,
    event_search,
)

PAGE_SIZE = 50


class ExplorerView(LoginRequiredMixin, View):
    """Refuses anyone but HR and decision-makers before reading anything (403),
    and turns the selectors' refusals into 403 and 404."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_explore(request.user):
            raise PermissionDenied(REFUSAL)
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc


class CasePathView(ExplorerView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        timeline = case_timeline_for(request.user, pk)
        context = {
            "timeline": timeline,
            # Each event with its payload in plain words (names only as the
            # selector resolved them for this viewer).
            "rows": [(e, event_details(e, timeline.names)) for e in timeline.events],
            "case": timeline.case,
            "title": f"Path of {timeline.case.reference}",
            "flow_chart": case_flow_chart(timeline.case.process_id),
        }
        return render(request, "audit/case_path.html", context)


class EventSearchView(ExplorerView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = EventFilterForm(request.GET)
        if not form.is_valid():
            # The filters again, each error beside its field.
            refused = {"form": form, "page": None, "title": "Audit log"}
            return render(request, "audit/event_search.html", refused, status=400)
        cursor = parse_query(CursorForm, request).cleaned_data["cursor"]
        events = event_search(request.user, form.filters())
        # Keyset pages along the log's sequence (core.paging): no count of the
        # whole log, and an old page costs what the newest does.
        page = keyset_page(events, order=SEARCH_ORDER, cursor=cursor, size=PAGE_SIZE)
        query = request.GET.copy()
        query.pop("cursor", None)
        query.pop("page", None)
        context: dict[str, Any] = {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "title": "Audit log",
        }
        return render(request, "audit/event_search.html", context)


class EventExportView(ExplorerView):
    """The filtered events as CSV or XLSX, oldest first. The export is
    recorded before its first byte is sent: what may have left is on record."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404("Exports are CSV or XLSX.")
        # Checked before anything is read or recorded: a bad filter is the 400
        # page naming each error, and no export event is written.
        form = parse_query(EventFilterForm, request)
        events, count, through = self._snapshot(request, form)
        if fmt == "xlsx" and count > exports.XLSX_MAX_ROWS:
            return HttpResponseBadRequest(
                "Too many events for one spreadsheet; narrow the filters."
            )
        audit_export_record(
            actor=as_actor(request.user),
            fmt=fmt,
            filters=form.filters().as_payload(),
            rows=count,
            through_seq=through,
        )
        return self._file(fmt, exports.event_rows(events))

    def _file(self, fmt: str, rows: Any) -> HttpResponse | StreamingHttpResponse:
        name = f"audit-events-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "xlsx":
            return FileResponse(exports.xlsx_file(rows), as_attachment=True, filename=name)
        response = StreamingHttpResponse(exports.csv_lines(rows), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _snapshot(self, request: HttpRequest, form: EventFilterForm) -> tuple[Any, int, int]:
        """The matching events up to the newest now: the log only grows, so the
        count recorded is exactly what is sent."""
        # Chained events only: a pending one has no seq yet (ADR 0016).
        through = AuditEvent.objects.head_seq()
        events = event_search(request.user, form.filters()).filter(seq__lte=through)
        return events, events.count(), through
