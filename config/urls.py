from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from ops import views as health

from .site import site

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("", site.urls),
]

# Request limits: what Django itself refuses as a bad request (too many fields,
# a body found too large while read) is answered as config.middleware answers:
# the API's JSON shape under /api/, a readable page elsewhere, 413 for size.
handler400 = "config.middleware.bad_request"
