from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from viewflow.contrib.auth import AuthViewset

from workflow.views.site import site


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API paths answer in JSON, like the rest of the API."""
    return JsonResponse({"detail": "Not found."}, status=404)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    re_path(r"^api/", api_not_found),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("", site.urls),
]
