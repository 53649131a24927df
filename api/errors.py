"""One error shape for the whole API.

``{"detail": "...", "errors": {"field": ["message"]}}`` for 400 and
``{"detail": "..."}`` for everything else. Domain errors from the services
keep their status: 403 not allowed, 404 not visible, 409 wrong stage or
someone acted first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import DomainError, ValidationFailed

INVALID = "Please correct the errors in the request."


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors for nested serializers; flatten them to dotted names."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "__all__"
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(d, dict | list) for d in detail):
            out[prefix or "__all__"] = [str(d) for d in detail]
        else:
            for i, value in enumerate(detail):
                for k, v in _flatten(value, f"{prefix}.{i}" if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "__all__"] = [str(detail)]
    return out


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationFailed):
        return Response({"detail": exc.message, "errors": exc.errors}, status=400)
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message}, status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response({"detail": INVALID, "errors": _flatten(exc.detail)}, status=400)
    if isinstance(exc, Http404):
        return Response({"detail": "Not found."}, status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "You may not do this."}, status=403)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
        if response.status_code == 400:
            # A body that is not JSON at all: still the 400 shape, about the request as a whole.
            response.data["errors"] = {"__all__": [response.data["detail"]]}
    return response


def error_response(
    status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The API's error shape, for answers given before DRF runs (a body too
    large, a query string the middleware refuses: ``config.middleware``)."""
    body: dict[str, Any] = {"detail": detail}
    if status == 400:
        body["errors"] = errors or {"__all__": [detail]}
    return JsonResponse(body, status=status)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field; `__all__` for the request as a whole.",
    )
