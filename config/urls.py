from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from .site import site

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("", site.urls),
]
