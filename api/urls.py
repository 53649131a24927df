from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import auth, views

app_name = "api"

urlpatterns = [
    path("v1/auth/token/", auth.TokenView.as_view(), name="token"),
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
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", views.not_found),
]
