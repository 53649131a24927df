"""Requests that must leave no trace of who made them.

An anonymous Freedom to Speak Up concern (speakup/) stores no identity, and
the request that raises it, or reads its replies with a case key, must not
record one either: no user id on the request's log line, and no session
written for it (a signed-in person's session refreshed at that moment would
tie them to the concern by time). The view marks the request; the request
log (``ops.middleware``) and the session's idle refresh
(``accounts.middleware``) honour the mark.
"""

from __future__ import annotations

from typing import Any

_ATTR = "_ftp_untraced"


def request_untraced(request: Any) -> None:
    """Mark ``request``: log no user for it and write no session for it."""
    setattr(request, _ATTR, True)


def is_untraced(request: Any) -> bool:
    return bool(getattr(request, _ATTR, False))
