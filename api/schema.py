"""The API's OpenAPI schema and its docs page: who may read them, and how the
docs page runs under the Content-Security-Policy.

While ``FTP_API_SCHEMA_PUBLIC`` is false (production's default) only a
signed-in user or a token holder may read either; anyone else gets the API's
JSON 401 (or 403), never the document nor an HTML error page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaAccess(BasePermission):
    """Anyone while the schema is public; otherwise authenticated users only.

    Read per request, so the setting can be changed without new URLs."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.FTP_API_SCHEMA_PUBLIC:
            return True
        return bool(request.user and request.user.is_authenticated)


class _RefusesInJSON:
    """Refusals answer in the API's JSON error shape (api/errors.py), whichever
    of the view's own renderers (YAML, the HTML page) was negotiated."""

    request: Request

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        # A mixin for DRF's APIView, which comes after it in the view's bases.
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        return response


class SchemaView(_RefusesInJSON, SpectacularAPIView):
    """The OpenAPI document (``/api/schema/``)."""

    permission_classes = [SchemaAccess]


class DocsView(_RefusesInJSON, SpectacularSwaggerView):
    """Swagger UI (``/api/docs/``). drf-spectacular starts it with one inline
    script; our template gives that script the response's CSP nonce, which
    ``api/urls.py`` adds to this view's ``script-src`` (and nowhere else)."""

    permission_classes = [SchemaAccess]
    template_name = "api/swagger_ui.html"
