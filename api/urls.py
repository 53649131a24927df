from csp.constants import NONCE
from csp.decorators import csp_update
from django.urls import path, re_path

from . import auth, views
from .schema import DocsView, SchemaView

app_name = "api"

urlpatterns = [
    path("v1/auth/token/", auth.TokenView.as_view(), name="token"),
    path("v1/auth/logout/", auth.LogoutView.as_view(), name="logout"),
    path("v1/auth/logout-all/", auth.LogoutAllView.as_view(), name="logout-all"),
    path("v1/referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("v1/referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    path("v1/referrals/<int:pk>/path/", views.ReferralPathView.as_view(), name="path"),
    path(
        "v1/referrals/<int:pk>/panel-suggestion/",
        views.PanelSuggestionView.as_view(),
        name="panel-suggestion",
    ),
    # Every action that changes a case (suggest_panel, which does not, is the GET above).
    *[
        path(
            f"v1/referrals/<int:pk>/actions/{action.value}/",
            views.action_view(action),
            name=f"action-{action.value}",
        )
        for action in views.ACTIONS
    ],
    path("v1/referrals/<int:pk>/actions/<str:action>/", views.UnknownActionView.as_view()),
    # The schema and its docs page: public or signed-in only (FTP_API_SCHEMA_PUBLIC).
    path("schema/", SchemaView.as_view(), name="schema"),
    path(
        "docs/",
        csp_update({"script-src": [NONCE]})(DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"", views.not_found),
]
