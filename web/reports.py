"""The governance pack page and its downloads, at /reports/governance/.

Governance viewers, HR and decision-makers may open it. Anyone holding the
governance role sees small counts suppressed; HR and decision-makers see
every count on the page (they may preview the suppressed version), and every
download is suppressed, since a downloaded pack is what leaves HR.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from viewflow.urls import Application

from accounts.types import as_actor
from assurance.models import COMMITTEES, DEFAULT_COMMITTEE
from audit.models import EventType
from audit.services import audit_record
from core.inputs import BoundedDateField, InvalidQuery, QueryForm
from reports import charts, exports
from reports.grouping import wres_year_of
from reports.pack import DIVERSIONS, FUNNEL_STEPS, Pack, governance_pack
from reports.stage_times import STAGES
from speakup.report import ftsu_export_rows, ftsu_pack_section, ftsu_quarter_choices
from tenancy.policy import trust_policy

from .assurance import pack_actions, pack_self_assessment
from .downloads import pack_download
from .early_warning import (
    EarlyWarningComputeView,
    EarlyWarningExportView,
    EarlyWarningView,
    pack_early_warning,
)
from .report_access import PackView, can_see_pack, must_suppress


class PackForm(QueryForm):
    """The pack's choices, from the query string. Funnel dates lie from 2000 to
    2100: the funnel counts to the end of its last day, which past ``date.max``
    would overflow (``core.inputs``)."""

    year = forms.IntegerField(label="WRES year starting 1 April", min_value=2000, max_value=2100)
    window = forms.TypedChoiceField(
        label="Window", choices=[(1, "1 year"), (2, "2 years")], coerce=int
    )
    start = BoundedDateField(label="Funnel from")
    end = BoundedDateField(label="Funnel to")
    committee = forms.ChoiceField(label="Actions for", choices=COMMITTEES)
    ftsu_quarter = forms.ChoiceField(
        label="FTSU quarter", choices=ftsu_quarter_choices, required=False
    )
    preview = forms.BooleanField(label="Preview as governance sees it", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The funnel must end on or after its start.")
        return data


def _form(request: HttpRequest) -> PackForm:
    today = timezone.localdate()
    initial = {
        "year": wres_year_of(today) - 1,
        "window": trust_policy().wres_window,
        "committee": DEFAULT_COMMITTEE,
    }
    return PackForm({**initial, **request.GET.dict()})


def _pack(form: PackForm, suppressed: bool) -> Pack:
    data = form.cleaned_data
    return governance_pack(
        year=data["year"],
        window=data["window"],
        start=data.get("start"),
        end=data.get("end"),
        suppressed=suppressed,
    )


class GovernancePackView(PackView):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = _form(request)
        context: dict[str, Any] = {"title": "Governance pack", "form": form}
        if not form.is_valid():
            return render(request, "reports/governance_pack.html", context, status=400)
        suppressed = must_suppress(request.user) or form.cleaned_data["preview"]
        pack = _pack(form, suppressed)
        query = {k: v for k, v in request.GET.items() if k != "preview"}
        context.update(
            pack=pack,
            trend_chart=charts.trend_chart(pack),
            icsu_chart=charts.icsu_chart(pack),
            funnel_chart=charts.funnel_chart(pack),
            funnel_note=charts.funnel_chart_note(pack),
            steps=FUNNEL_STEPS,
            diversions=[label for label, _, _ in DIVERSIONS],
            stages=STAGES,
            can_preview=not must_suppress(request.user),
            query=urlencode(query),
            early_warning=pack_early_warning(pack),
            self_assessment=pack_self_assessment(),
            committee=form.cleaned_data["committee"],
            actions=pack_actions(form.cleaned_data["committee"]),
            ftsu=ftsu_pack_section(
                quarter=form.cleaned_data["ftsu_quarter"] or None, suppressed=suppressed
            ),
        )
        return render(request, "reports/governance_pack.html", context)


class GovernancePackExportView(PackView):
    """The suppressed pack as CSV or XLSX, recorded in the audit log first."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in ("csv", "xlsx"):
            raise Http404("The pack downloads as CSV or XLSX.")
        form = _form(request)
        if not form.is_valid():
            # The 400 page naming each error; nothing is built or recorded.
            raise InvalidQuery(form)
        pack = _pack(form, suppressed=True)
        audit_record(
            case=None,
            actor=as_actor(request.user),
            action=EventType.EXPORT,
            payload={
                "kind": "governance_pack",
                "format": fmt,
                "year": pack.year,
                "window": pack.window,
                "funnel_from": pack.start.isoformat(),
                "funnel_to": pack.end.isoformat(),
                "suppressed": True,
            },
        )
        ftsu = ftsu_pack_section(quarter=form.cleaned_data["ftsu_quarter"] or None)
        extra = [ftsu_export_rows(ftsu)]
        name = f"governance-pack-{pack.year}-{timezone.localdate():%Y%m%d}.{fmt}"
        return pack_download(
            name,
            fmt,
            xlsx=lambda: exports.pack_xlsx(pack, extra),
            csv=lambda: exports.pack_csv(pack, extra),
        )


class ReportsApp(Application):
    """Equity reports, at /reports/ in the product's viewflow Site."""

    title = "Reports"
    icon = "insights"
    app_name = "reports"
    menu_template_name = "workflow/menu.html"
    # As the audit app: the anonymous pass so the view can send them to log in.
    permission = staticmethod(lambda user: not user.is_authenticated or can_see_pack(user))

    index_path = path("", GovernancePackView.as_view(), name="index")
    governance_path = path("governance/", GovernancePackView.as_view(), name="governance")
    export_path = path(
        "governance/export.<str:fmt>", GovernancePackExportView.as_view(), name="governance_export"
    )
    # The early warning (web/early_warning.py, docs/early-warning.md).
    early_warning_path = path("early-warning/", EarlyWarningView.as_view(), name="early_warning")
    early_warning_export_path = path(
        "early-warning/export.csv", EarlyWarningExportView.as_view(), name="early_warning_export"
    )
    early_warning_compute_path = path(
        "early-warning/compute/", EarlyWarningComputeView.as_view(), name="early_warning_compute"
    )
