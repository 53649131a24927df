"""The product's one viewflow Site: every app's pages under one frame and menu.

Each app declares its own ``Application`` (its pages and who may enter);
this module only puts them together, so a newcomer sees the whole UI here.
"""

from __future__ import annotations

from viewflow.urls import Site

from web.account_link import AccountLinkApp
from web.assurance import AssuranceApp
from web.notifications_app import NotificationsApp
from web.regional import RegionalApp
from web.reports import ReportsApp
from web.site import AuditApp, CasesApp
from web.speakup import SpeakUpApp
from web.suspensions import SuspensionsApp

site = Site(
    title="Fair Treatment Panel",
    viewsets=[
        CasesApp(),
        AuditApp(),
        ReportsApp(),
        NotificationsApp(),
        RegionalApp(),
        SpeakUpApp(),
        AssuranceApp(),
        # The employee's single-use link to give their account (no login).
        AccountLinkApp(),
        SuspensionsApp(),
    ],
)
# Without viewflow's list of applications in the menu: every app's own menu
# (``workflow/menu.html``) already names each page once, by role. Both together
# listed "Audit log" and "Notifications" twice, and "Reports" beside
# "Governance pack" (issue 18; tests/web/test_menu.py).
site.menu_template_name = None
