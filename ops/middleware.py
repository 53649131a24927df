"""One structured log line per request (logger ``ops.requests``).

The outermost middleware (first in ``MIDDLEWARE``), so the line is written
for every request, whatever answered it: a view, a 404, a 500 page, another
middleware's refusal (413, a CSRF failure, a lockout) or the static files.
Its fields, and nothing else:

* ``request_id``: see ``ops.logs``; also sent back as ``X-Request-ID``;
* ``user_id``: the signed-in user's numeric id, or null (anonymous, or a
  request that never looked at who made it: the user is not loaded just to
  be logged, so ``/health/*`` never touches the database);
* ``route``: the URL pattern that matched (``cases/<int:pk>/``), or null when
  none did. Never the path itself, which may carry whatever a client typed,
  and never the query string;
* ``method``: the HTTP method, or ``OTHER`` for one HTTP does not define;
* ``status`` and ``duration_ms`` (until the response was handed back: a
  streamed export's body is still being sent then).

Bodies, query strings, headers, names and case content are never logged
(config/settings.py ``LOGGING``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty
from django_prometheus import middleware as prometheus

from core.untraced import is_untraced

from .logs import REQUEST_ID_HEADER, request_id_bind, request_id_from

logger = logging.getLogger("ops.requests")

_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)


class RequestLogMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request_id_bind(request_id)  # cleared when the response is closed (ops.logs)
        started = time.perf_counter()
        # Django turns a view's exception into the 500 response inside this
        # call, so a failing request is logged here like any other.
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        fields = request_fields(request, response, time.perf_counter() - started)
        logger.info(
            "%s %s %s %.1f ms",
            fields["method"],
            fields["route"] or "-",
            fields["status"],
            fields["duration_ms"],
            extra=fields,
        )
        return response


def request_fields(
    request: HttpRequest, response: HttpResponseBase, seconds: float
) -> dict[str, Any]:
    method = request.method or ""
    return {
        "user_id": _user_id(request),
        "route": _route(request),
        "method": method if method in _METHODS else "OTHER",
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
    }


def _route(request: HttpRequest) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return str(match.route or match.view_name)


def _user_id(request: HttpRequest) -> int | None:
    if is_untraced(request):  # an anonymous concern's request names nobody (speakup/)
        return None
    user = getattr(request, "user", None)
    # AuthenticationMiddleware's user is lazy: unloaded means nothing asked
    # who made the request, and loading it now would cost a session query.
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    if not user.is_authenticated:
        return None
    return user.pk if isinstance(user.pk, int) else None


class PrometheusAfterMiddleware(prometheus.PrometheusAfterMiddleware):
    """django-prometheus's inner middleware, timing each request once.

    Its ``process_exception`` observes the latency of a view that raised
    (``Http404``, ``PermissionDenied``, an error), and its
    ``process_response`` observes it again when Django has turned the
    exception into a response, as it always does before this middleware
    sees it: every 404 and 500 was counted twice in the histogram. Here the
    exception is counted by type and view, and the latency only with the
    response.
    """

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        kind = type(exception).__name__
        self.label_metric(self.metrics.exceptions_by_type, request, type=kind).inc()
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else None) or "<unnamed view>"
        self.label_metric(self.metrics.exceptions_by_view, request, view=view).inc()
