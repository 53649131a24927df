"""The suspension register, at /suspensions/ in the product's Site: HR advisers only.

One row per measure (reference, kind, started, next review, overdue), keyset
paged (``suspensions.selectors.register_page``: the same few queries on any
page), filtered to the active or overdue ones; never the employee's ethnic
category nor a measure's reason. The CSV download streams the same rows, a
chunk at a time, and is recorded in the audit log before its first byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from viewflow.urls import Application

from accounts.types import as_actor
from audit import exports
from audit.models import EventType
from audit.services import audit_record
from core.inputs import QueryForm, parse_query
from core.paging import CursorField
from suspensions.models import Suspension
from suspensions.selectors import (
    PAGE_SIZE,
    RegisterFilter,
    is_overdue,
    register_for,
    register_page,
)
from workflow.access import SuspensionRegisterVisible

REFUSAL = "Only HR advisers can see the suspension register."
HEADER = ("Reference", "Kind", "Started", "Next review due", "Lifted", "Review overdue")
CHUNK = 500


class RegisterQuery(QueryForm):
    show = forms.ChoiceField(
        label="Show",
        choices=[
            (RegisterFilter.ALL, "All"),
            (RegisterFilter.ACTIVE, "Active"),
            (RegisterFilter.OVERDUE, "Review overdue"),
        ],
        required=False,
    )
    cursor = CursorField()

    def shown(self) -> RegisterFilter:
        return RegisterFilter(self.cleaned_data.get("show") or RegisterFilter.ALL)


def _require(request: HttpRequest) -> None:
    if not SuspensionRegisterVisible.allows(request.user):
        raise PermissionDenied(REFUSAL)


class RegisterView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require(request)
        query = parse_query(RegisterQuery, request)
        show = query.shown()
        page = register_page(
            request.user, show=show, cursor=query.cleaned_data["cursor"], size=PAGE_SIZE
        )
        today = timezone.localdate()
        rows = [(m, is_overdue(m, today)) for m in page.rows]
        kept = {"show": show.value} if show is not RegisterFilter.ALL else {}
        return render(
            request,
            "suspensions/register.html",
            {
                "title": "Suspension register",
                "page": page,
                "rows": rows,
                "show": show.value,
                "filters": RegisterQuery.base_fields["show"].choices,  # type: ignore[attr-defined]
                "query": urlencode(kept),
            },
        )


def register_rows(rows: QuerySet[Suspension]) -> Iterator[tuple[Any, ...]]:
    today = timezone.localdate()
    for m in rows.iterator(chunk_size=CHUNK):
        yield (
            m.case.reference,
            m.get_kind_display(),
            m.started_on,
            m.review_due_on or "",
            m.lifted_on or "",
            "yes" if is_overdue(m, today) else "no",
        )


class RegisterExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        _require(request)
        query = parse_query(RegisterQuery, request)
        show = query.shown()
        rows = register_for(request.user, show=show)
        audit_record(
            case=None,
            actor=as_actor(request.user),
            action=EventType.EXPORT,
            payload={
                "kind": "suspension_register",
                "format": "csv",
                "filters": {"show": show.value},
            },
        )
        name = f"suspensions-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(
            exports.csv_lines(register_rows(rows), header=HEADER),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# viewflow is untyped; pyproject.toml does not list this module (the lead may add it).
class SuspensionsApp(Application):  # type: ignore[misc]
    """The register at /suspensions/; the views decide who may enter (HR advisers)."""

    title = "Suspension register"
    icon = "pause_circle"
    app_name = "suspensions"
    menu_template_name = "workflow/menu.html"

    index_path = path("", RegisterView.as_view(), name="index")
    export_path = path("export.csv", RegisterExportView.as_view(), name="export")
