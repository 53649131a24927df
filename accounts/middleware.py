"""The idle timeout of a logged-in session, without a write on every request.

``SESSION_COOKIE_AGE`` is the idle timeout: the session store expires a
session that long after it was last saved. Saving it on every request
(``SESSION_SAVE_EVERY_REQUEST``) would cost a database write per page, so a
session is saved again only when its last refresh is more than
``FTP_SESSION_REFRESH_SECONDS`` old: a session then ends between the idle
timeout less that interval and the idle timeout after the last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from core.untraced import is_untraced

REFRESHED_KEY = "_ftp_refreshed_at"


class SessionIdleMiddleware:
    """Put after ``SessionMiddleware`` (it runs first on the way out)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request used, holding a login: anonymous visitors
        # get no session row, and a request that never read it was no activity.
        if session is None or not session.accessed or SESSION_KEY not in session:
            return response
        # A request that must leave no trace (an anonymous concern) refreshes nothing.
        if is_untraced(request) and not session.modified:
            return response
        now = int(time.time())
        refreshed = session.get(REFRESHED_KEY)
        stale = (
            not isinstance(refreshed, int)
            or now - refreshed >= settings.FTP_SESSION_REFRESH_SECONDS
        )
        if stale or session.modified:
            # Marking it modified makes SessionMiddleware save it with a new expiry.
            session[REFRESHED_KEY] = now
        return response
