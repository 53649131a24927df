from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from ops import views as ops
from web import sso, trusts

from .site import site

# Single sign-on: the admin's login form gives the password rule's message too.
admin.site.login_form = sso.AdminLoginForm

urlpatterns = [
    path("health/live", ops.live, name="health-live"),
    path("health/ready", ops.ready, name="health-ready"),
    # Prometheus scrapes (ops/metrics.py): bearer token, or 404 in production without one.
    path("metrics", ops.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # Single sign-on (web/sso.py): the login page, break-glass and no-access pages, OIDC.
    path("oidc/", include(sso.urlpatterns)),
    path("accounts/no-access/", sso.no_access, name="sso-no-access"),
    # Trusts (web/trusts.py): which trust a person with roles in several acts for.
    path("accounts/trust/", trusts.TrustChooseView.as_view(), name="trust-choose"),
    path("accounts/break-glass/", sso.BreakGlassLoginView.as_view(), name="break-glass-login"),
    path(
        "accounts/",
        AuthViewset(with_profile_view=False, login_view=sso.LoginView.as_view()).urls,
    ),
    path("", site.urls),
]

# Request limits: what Django itself refuses as a bad request (too many fields,
# a body found too large while read) is answered as config.middleware answers:
# the API's JSON shape under /api/, a readable page elsewhere, 413 for size.
handler400 = "config.middleware.bad_request"
