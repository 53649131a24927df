from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from workflow.rules import Action

from . import auth, views

app_name = "api"

urlpatterns = [
    path("v1/auth/token/", auth.TokenView.as_view(), name="token"),
    path("v1/referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("v1/referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    path("v1/referrals/<int:pk>/path/", views.ReferralPathView.as_view(), name="path"),
    *[
        path(
            f"v1/referrals/<int:pk>/actions/{action.value}/",
            views.action_view(action),
            name=f"action-{action.value}",
        )
        for action in Action
    ],
    path("v1/referrals/<int:pk>/actions/<str:action>/", views.UnknownActionView.as_view()),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", views.not_found),
]
