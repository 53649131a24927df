"""The regional benchmark pack and its downloads, at /regional/.

Regional viewers only (a deployment-wide role: the "Regional viewer" group).
The pages read the regional tables alone, never a trust's own data: each
sharing trust's figures were computed inside that trust and stored already
suppressed (regional/, ADR 0020, docs/regional.md).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views import View
from viewflow.urls import Application

from accounts.types import as_actor
from core.inputs import InvalidQuery, QueryForm
from regional import exports
from regional.selectors import (
    RegionalPack,
    can_see_regional,
    regional_pack,
    regional_years,
)
from regional.services import regional_default_year, regional_export_record

from .downloads import pack_download

REFUSAL = "Only regional viewers see the regional benchmark."


class YearForm(QueryForm):
    year = forms.IntegerField(
        label="WRES year starting 1 April", min_value=2000, max_value=2100, required=False
    )


def _pack(request: HttpRequest) -> RegionalPack:
    form = YearForm(request.GET.dict())
    if not form.is_valid():
        raise InvalidQuery(form)
    year = form.cleaned_data.get("year")
    if year is None:
        years = regional_years()
        year = years[0] if years else regional_default_year()
    return regional_pack(year=year)


class RegionalView(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not can_see_regional(request.user):
            raise PermissionDenied(REFUSAL)
        return super().dispatch(request, *args, **kwargs)


class RegionalPackView(RegionalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        pack = _pack(request)
        context = {
            "title": "Regional benchmark",
            "pack": pack,
            "years": regional_years(),
            "query": f"year={pack.year}",
        }
        return render(request, "regional/pack.html", context)


class RegionalExportView(RegionalView):
    """The pack as CSV or XLSX, recorded first in the audit log of every
    trust whose figures it holds."""

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        if fmt not in ("csv", "xlsx"):
            raise Http404("The regional pack downloads as CSV or XLSX.")
        pack = _pack(request)
        regional_export_record(
            actor=as_actor(request.user), fmt=fmt, year=pack.year, trust_ids=pack.trust_ids
        )
        name = f"regional-pack-{pack.year}-{timezone.localdate():%Y%m%d}.{fmt}"
        return pack_download(
            name, fmt, xlsx=lambda: exports.pack_xlsx(pack), csv=lambda: exports.pack_csv(pack)
        )


class RegionalApp(Application):
    """The regional benchmark, at /regional/ in the product's viewflow Site."""

    title = "Regional benchmark"
    icon = "leaderboard"
    app_name = "regional"
    menu_template_name = "workflow/menu.html"
    # As the reports app: the anonymous pass so the view can send them to log in.
    permission = staticmethod(lambda user: not user.is_authenticated or can_see_regional(user))

    index_path = path("", RegionalPackView.as_view(), name="index")
    csv_path = path("pack.<str:fmt>", RegionalExportView.as_view(), name="export")
