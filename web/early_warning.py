"""The early warning page and its CSV, at /reports/early-warning/
(docs/early-warning.md, "In the app"), and its section of the governance pack.

Governance viewers, HR and decision-makers may open it (``report_access``).
HR and decision-makers see every level, referring managers included, with
every figure; anyone holding the governance role sees ICSUs and departments
only, with small counts suppressed (``reports.early_warning_report``): no
manager is ever read for them, so none can reach the page, its plot or the
download. The governance pack's section shows units only, always.

HR's view is read from a snapshot (``reports.early_warning_snapshot``): the
page opens on the latest nightly one, and HR may compute one for any other
day and window (``EarlyWarningComputeView``, a POST).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from accounts.types import Viewer, as_actor
from audit.exports import csv_safe
from audit.models import EventType
from audit.services import audit_record
from core.inputs import BoundedDateField, InvalidQuery, PageField, QueryForm
from reports.early_warning_chart import funnel_chart
from reports.early_warning_report import (
    ALL_LEVELS,
    LEVEL_LABELS,
    UNIT_LEVELS,
    EarlyWarningReport,
    early_warning_report,
    early_warning_units_report,
)
from reports.early_warning_snapshot import early_warning_snapshot_compute, latest_snapshot_day
from reports.exports import FLAGGED_BANDS
from reports.grouping import wres_year_end
from reports.pack import Pack

from .report_access import PackView, must_suppress

DEFAULT_WINDOW = 24
MAX_WINDOW = 120
REFUSAL = "Only governance viewers, HR and decision-makers see the early warning."
COMPUTE_REFUSAL = "Only HR and decision-makers compute the early warning."


class EarlyWarningForm(QueryForm):
    """The page's choices. Governance viewers are offered units only: asking
    for managers is a 400 like any other value the form does not offer."""

    as_at = BoundedDateField(label="As at")
    window = forms.IntegerField(label="Window (months)", min_value=1, max_value=MAX_WINDOW)
    level = forms.ChoiceField(label="Level", required=False)
    page = PageField()

    def __init__(self, *args: Any, managers: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = ALL_LEVELS if managers else UNIT_LEVELS
        field = self.fields["level"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", "All levels"), *((lv, LEVEL_LABELS[lv]) for lv in levels)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("as_at") and "as_at" not in self.errors:
            self.add_error("as_at", "Enter the date the window ends on.")
        return data


def default_as_at() -> dt.date:
    """The day the page opens on: the latest nightly snapshot's (yesterday's,
    once the night's run is done), or yesterday."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return latest_snapshot_day(DEFAULT_WINDOW) or yesterday


def _form(data: dict[str, str], user: Viewer) -> EarlyWarningForm:
    initial = {"as_at": default_as_at().isoformat(), "window": str(DEFAULT_WINDOW)}
    return EarlyWarningForm({**initial, **data}, managers=not must_suppress(user))


def _report(form: EarlyWarningForm, user: Viewer) -> EarlyWarningReport | None:
    data = form.cleaned_data
    return early_warning_report(
        as_at=data["as_at"], window_months=data["window"], suppressed=must_suppress(user)
    )


def _choice_query(form: EarlyWarningForm) -> str:
    data = form.cleaned_data
    return urlencode({"as_at": data["as_at"].isoformat(), "window": data["window"]})


class EarlyWarningView(PackView):
    refusal = REFUSAL

    def get(self, request: HttpRequest) -> HttpResponse:
        form = _form(request.GET.dict(), request.user)
        context: dict[str, Any] = {
            "title": "Early warning",
            "form": form,
            "managers": not must_suppress(request.user),
        }
        if not form.is_valid():
            return render(request, "reports/early_warning.html", context, status=400)
        report = _report(form, request.user)
        if report is None:
            # HR's view of a day and window nobody has computed yet.
            context.update(
                not_computed=True,
                as_at=form.cleaned_data["as_at"],
                window=form.cleaned_data["window"],
            )
            return render(request, "reports/early_warning.html", context)
        level = form.cleaned_data.get("level") or None
        number = form.cleaned_data.get("page") or 1
        page = report.page(number, level)
        if number > page.count:
            form.add_error(
                "page",
                f"There {'is' if page.count == 1 else 'are'} only "
                f"{page.count} page{'s' if page.count != 1 else ''}.",
            )
            return render(request, "reports/early_warning.html", context, status=400)
        query = {k: v for k, v in request.GET.items() if k != "page"}
        context.update(
            report=report,
            page=page,
            charts=[(funnel, funnel_chart(funnel)) for funnel in report.funnels()],
            query=urlencode(query),
            download_query=_choice_query(form),
        )
        return render(request, "reports/early_warning.html", context)


class EarlyWarningComputeView(PackView):
    """HR's "compute now": the snapshot of the day and window asked for,
    computed (again) and kept, then the page showing it."""

    refusal = REFUSAL

    def post(self, request: HttpRequest) -> HttpResponse:
        if must_suppress(request.user):
            raise PermissionDenied(COMPUTE_REFUSAL)
        form = _form(request.POST.dict(), request.user)
        if form.is_valid() and form.cleaned_data["as_at"] > timezone.localdate():
            form.add_error("as_at", "The early warning is computed up to today, not after.")
        if not form.is_valid():
            raise InvalidQuery(form)
        data = form.cleaned_data
        early_warning_snapshot_compute(as_at=data["as_at"], window_months=data["window"])
        return HttpResponseRedirect(f"{reverse('reports:early_warning')}?{_choice_query(form)}")


class EarlyWarningExportView(PackView):
    """The table as CSV (every row, every level the viewer may see),
    recorded in the audit log first."""

    refusal = REFUSAL

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        form = _form(request.GET.dict(), request.user)
        if not form.is_valid():
            raise InvalidQuery(form)
        report = _report(form, request.user)
        if report is None:
            form.add_error(
                "as_at",
                "The early warning has not been computed for this date and window: "
                "open the page and compute it first.",
            )
            raise InvalidQuery(form)
        audit_record(
            case=None,
            actor=as_actor(request.user),
            action=EventType.EXPORT,
            payload={
                "kind": "early_warning",
                "format": "csv",
                "as_at": report.as_at.isoformat(),
                "window_months": report.window_months,
                "levels": list(report.levels),
                "suppressed": report.suppressed,
            },
        )
        name = f"early-warning-{report.as_at:%Y%m%d}-{report.window_months}m.csv"
        response = StreamingHttpResponse(_csv_lines(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _csv_lines(report: EarlyWarningReport) -> Iterator[str]:
    """The table as CSV, a line at a time (every manager of a large trust is
    read in batches, not held at once)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in report.csv_rows():
        writer.writerow([csv_safe(value) for value in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def pack_early_warning(pack: Pack) -> dict[str, Any]:
    """The governance pack's early-warning section: units only, as at the
    31 March ending the pack's WRES year over its window (12 or 24 months),
    suppressed whenever the pack is."""
    months = 12 * pack.window
    as_at = wres_year_end(pack.year)
    report = early_warning_units_report(
        as_at=as_at, window_months=months, suppressed=pack.suppressed
    )
    flagged = [r for r in report.units if r.band in FLAGGED_BANDS]
    return {
        "report": report,
        "charts": [(funnel, funnel_chart(funnel)) for funnel in report.funnels()],
        "flagged": flagged,
        "query": urlencode({"as_at": as_at.isoformat(), "window": months}),
    }
