"""``/health/live`` and ``/health/ready`` (see ``ops/__init__.py``)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .checks import readiness


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    failures = readiness()
    failing = {name: reason for name, reason in failures.items() if reason}
    body = {
        "status": "not ready" if failing else "ready",
        "checks": {name: reason or "ok" for name, reason in failures.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)
