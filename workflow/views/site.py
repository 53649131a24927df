"""The viewflow Site: the product's pages inside viewflow's material frontend.

viewflow's generic FlowAppViewset (dashboard, process and task lists, task
pages) is deliberately not mounted: within one flow it shows every process
to anyone with the view permission and lets tasks be completed outside the
services. Our pages are scoped by the selectors and act through services;
the flow chart is drawn with viewflow's own chart module.
"""

from __future__ import annotations

from django.urls import path
from viewflow.urls import Application, Site

from . import cases, overview


class CasesApp(Application):
    title = "Fair Treatment Panel"
    icon = "gavel"
    app_name = "cases"
    menu_template_name = "workflow/menu.html"

    index_path = path("", cases.LandingView.as_view(), name="index")
    inbox_path = path("inbox/", cases.InboxView.as_view(), name="inbox")
    list_path = path("all/", cases.CaseListView.as_view(), name="list")
    new_path = path("new/", cases.ReferralCreateView.as_view(), name="new")
    detail_path = path("<int:pk>/", cases.CaseDetailView.as_view(), name="detail")
    action_path = path("<int:pk>/<slug:action>/", cases.CaseActionView.as_view(), name="action")
    overview_path = path("overview/", overview.OverviewView.as_view(), name="overview")


site = Site(title="Fair Treatment Panel", viewsets=[CasesApp()])
