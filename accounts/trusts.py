"""Which trust a request acts for (ADR 0020, docs/tenancy.md).

A request to a trust's own host name acts for that trust, if the person holds
a role there. Otherwise it acts for the trust the person chose (kept in their
session), or for their only trust. Someone with roles in several trusts who
has not chosen is sent to choose (``/accounts/trust/``). Nobody logged in,
and anyone with no role anywhere, acts for no trust: every tenant table then
reads as empty.

``TrustMiddleware`` enters the trust for the request and leaves it when the
response is done, streamed content included; the API's token login, which
happens inside the view, enters the token holder's trust the same way
(``request_trust_enter``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse

from tenancy.context import trust_entered
from tenancy.models import Trust

from .services import user_trust_ids

# The session keys: the trust chosen, and the trusts the person may choose
# (read at login; a role taken away is seen at once, through their roles).
SESSION_TRUST = "_ftp_trust"
SESSION_TRUSTS = "_ftp_trusts"
# Requests that need no trust chosen first: choosing one, logging out, and
# what serves no trust's data.
UNCHOSEN_PREFIXES = (
    "/accounts/",
    "/static/",
    "/health/",
    "/metrics",
    "/api/",
    "/oidc/",
    # The regional benchmark reads no trust's rows (regional/).
    "/regional/",
)

_HOSTS_TTL_SECONDS = 60
_hosts: dict[str, int] = {}
_hosts_read_at = 0.0


def host_trust_id(host: str) -> int | None:
    """The trust with this host name of its own, if any (read at most once a minute)."""
    global _hosts_read_at
    now = time.monotonic()
    if now - _hosts_read_at > _HOSTS_TTL_SECONDS:
        _hosts.clear()
        _hosts.update(
            {h.lower(): pk for h, pk in Trust.objects.exclude(host="").values_list("host", "pk")}
        )
        _hosts_read_at = now
    return _hosts.get(host.split(":", 1)[0].lower())


def hosts_forget() -> None:
    """Read host names afresh at the next request (after a trust's host changes)."""
    global _hosts_read_at
    _hosts_read_at = 0.0


def trusts_of(request: HttpRequest, user: Any) -> list[int]:
    """The trusts ``user`` may act for: as read when they logged in (kept in
    the session, so a page costs no query for it), else read now."""
    session = getattr(request, "session", None)
    if session is not None and session.get("_auth_user_id") == str(user.pk):
        held = session.get(SESSION_TRUSTS)
        if isinstance(held, list) and held:
            return held
    return user_trust_ids(user)


def trusts_remember(request: HttpRequest, user: Any) -> None:
    """At login: keep the trusts the person may act for in their new session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_TRUSTS] = user_trust_ids(user)


def trust_for(request: HttpRequest, user: Any) -> tuple[int | None, bool]:
    """The trust ``user`` acts for in ``request``, and whether they must choose first."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None, False
    held = trusts_of(request, user)
    host = host_trust_id(request.get_host())
    if host is not None:
        return (host if host in held else None), False
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_TRUST) if session is not None else None
    if chosen in held:
        return chosen, False
    if len(held) == 1:
        return held[0], False
    return None, len(held) > 1


def trust_choose(request: HttpRequest, trust_id: int) -> bool:
    """Remember that the person acts for ``trust_id``; False when they may not."""
    if trust_id not in trusts_of(request, request.user):
        return False
    request.session[SESSION_TRUST] = trust_id
    return True


def request_trust_enter(request: HttpRequest, trust_id: int | None) -> None:
    """Act for ``trust_id`` until the response to ``request`` is done."""
    stack = getattr(request, "_ftp_trust_stack", None)
    if stack is None:
        raise RuntimeError("TrustMiddleware is not installed.")
    stack.enter_context(trust_entered(trust_id))
    request.trust_id = trust_id  # type: ignore[attr-defined]


class TrustMiddleware:
    """Enters the request's trust; put after authentication and sessions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stack = ExitStack()
        request._ftp_trust_stack = stack  # type: ignore[attr-defined]
        try:
            trust_id, must_choose = trust_for(request, request.user)
            if must_choose and not request.path.startswith(UNCHOSEN_PREFIXES):
                stack.close()
                choose = reverse("trust-choose")
                return HttpResponseRedirect(f"{choose}?next={request.get_full_path()}")
            request_trust_enter(request, trust_id)
            response = self.get_response(request)
        except BaseException:
            stack.close()
            raise
        if isinstance(response, StreamingHttpResponse):
            # Rows are read while the content streams: stay in the trust until it ends.
            response.streaming_content = _within(stack, response.streaming_content)
            return response
        stack.close()
        return response


def _within(stack: ExitStack, content: Iterator[Any]) -> Iterator[Any]:
    try:
        yield from content
    finally:
        stack.close()
