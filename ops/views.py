"""``/health/live`` and ``/health/ready`` (see ``ops/__init__.py``), and
``/metrics`` (see ``ops/metrics.py``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .checks import readiness
from .metrics import scrape_allowed, scrape_registry


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


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    allowed = scrape_allowed(request)
    if allowed is None:
        raise Http404
    if not allowed:
        refused = HttpResponse("A bearer token is needed.\n", status=401, content_type="text/plain")
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
