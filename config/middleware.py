"""Request limits: what no page can use is refused at the door, never with a 500.

``RequestLimitsMiddleware`` runs before any view or other middleware reads
the request:

* A body declared larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``
  (``FTP_REQUEST_BODY_MAX_MB``) is refused with 413 before a byte of it is
  read, unless its route takes uploads and declares a larger limit of its
  own (``route_body_limit``: a case document's, ``FTP_DOCUMENT_MAX_MB``).
  Django enforces its limit only where it reads the body itself, and
  answers with its HTML 400 page; DRF reads the API's JSON from the stream,
  where that limit does not apply at all. (A multipart upload's files do
  not count towards Django's own limit, and go to temporary files.)
* A NUL byte anywhere in the path or the query string is refused with 400.
  PostgreSQL cannot hold NUL in text, so no page can use one, and pages this
  product does not own (the admin's search, the login's ``next``) would
  otherwise end in a 500. Other control characters are refused by the forms
  that parse each page's query string (``core.inputs``).
* A view's :class:`~core.inputs.InvalidQuery` becomes the 400
  page naming each error.

``bad_request`` is the project's ``handler400`` (``config/urls.py``): what
Django itself refuses (too many fields, a body found too large while being
read) gets the same answers. Under ``/api/`` every answer is the API's JSON
error shape (``api/errors.py``); elsewhere a readable page
(``web/templates/400.html``, ``web/templates/413.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from api.errors import INVALID, error_response
from core.inputs import InvalidQuery

API_PREFIX = "/api/"
NUL_MESSAGE = "Null characters are not allowed."
NOT_UNDERSTOOD = "Your request could not be understood."

# (label, messages) pairs for the web page; the API keys its errors by name.
ErrorList = list[tuple[str, list[str]]]


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads such a body as empty too.


def route_body_limit(request: HttpRequest) -> int | None:
    """The larger body limit the request's route declares, if any: a view
    that takes uploads (a case document) names its own with a
    ``body_max_bytes()`` method; every other route keeps the site's."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    limit = getattr(view, "body_max_bytes", None)
    return int(limit()) if callable(limit) else None


def too_large_message(limit: int | None = None) -> str:
    if limit is not None:
        return f"The request body is too large (limit {limit / (1024 * 1024):.0f} MB)."
    return f"The request body is too large (limit {settings.FTP_REQUEST_BODY_MAX_MB} MB)."


def too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413: in the API's shape under /api/, else the readable page."""
    if _is_api(request):
        return error_response(413, too_large_message(limit))
    context = {"title": "Too much sent", "message": too_large_message(limit)}
    return render(request, "413.html", context, status=413)


def not_understood(
    request: HttpRequest, errors: ErrorList, by_name: dict[str, list[str]] | None = None
) -> HttpResponse:
    """400: in the API's shape under /api/ (``by_name``), else the readable page."""
    if _is_api(request):
        return error_response(400, INVALID, by_name or {"__all__": [NOT_UNDERSTOOD]})
    context = {"title": "Request not understood", "errors": errors, "retry": request.path}
    return render(request, "400.html", context, status=400)


def _nul_errors(request: HttpRequest) -> dict[str, list[str]]:
    """Where a NUL byte is, by parameter name (``__all__`` for the path or a name)."""
    errors: dict[str, list[str]] = {}
    if "\x00" in request.path:
        errors["__all__"] = [NUL_MESSAGE]
    for name, values in request.GET.lists():
        if "\x00" in name:
            errors["__all__"] = [NUL_MESSAGE]
        elif any("\x00" in v for v in values):
            errors[name] = [NUL_MESSAGE]
    return errors


class RequestLimitsMiddleware:
    """See the module's docstring. Place it before anything that reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _declared_length(request)
        if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = route_body_limit(request)
            if limit is None or declared > limit:
                return too_large(request, limit)
        nul = _nul_errors(request)
        if nul:
            labels = [(name if name != "__all__" else "", msgs) for name, msgs in nul.items()]
            return not_understood(request, labels, nul)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, InvalidQuery):
            return not_understood(request, exception.errors, exception.by_name)
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: Django's own refusals, answered as the middleware answers."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if isinstance(exception, InvalidQuery):
        return not_understood(request, exception.errors, exception.by_name)
    return not_understood(request, [("", [NOT_UNDERSTOOD])])
