"""The request id: where it comes from, and how every log line gets it.

A request's id is taken from its ``X-Request-ID`` header when a proxy or
the client sent a well-formed one (so one request can be followed through
the load balancer's logs and ours), else made here. From the outermost
middleware until the response is closed (``request_finished``: after
Django's own "Not Found" and "Internal Server Error" lines, and after a
streamed body is sent) the id sits in a context variable;
``RequestIdFilter``, on the handlers in ``config/settings.py`` ``LOGGING``,
copies it onto every record, whichever logger made it. Outside a request
(a Celery task, a management command) it is ``None``.

A well-formed id is 1 to 64 letters, digits, dots, underscores and hyphens:
bounded, and nothing that could break a log line or a header (no spaces,
quotes, newlines or control characters).
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current: ContextVar[str | None] = ContextVar("ftp_request_id", default=None)


def request_id_from(header: str | None) -> str:
    """The id a request is logged under: its header's, if well-formed, else a new one."""
    if header is not None and _WELL_FORMED.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return _current.get()


def request_id_bind(request_id: str) -> None:
    """Make ``request_id`` current, until ``request_id_clear``."""
    _current.set(request_id)


def request_id_clear(**kwargs: Any) -> None:
    """The request is over (a ``request_finished`` receiver: ``OpsConfig``)."""
    _current.set(None)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``None`` outside a request), so
    the plain format can name it and the JSON format includes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _current.get()
        return True


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, leaving out the request object Django
    attaches to its own records (``django.request``, ``django.security``):
    its text is the full path with the query string, which may carry what a
    person typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        super().__init__(*args, **kwargs)
