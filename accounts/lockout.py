"""Login lockout for every login form (web, admin, API), plugged into django-axes.

Django's ``authenticate()`` asks ``axes.backends.AxesStandaloneBackend`` first;
that asks the handler configured in ``AXES_HANDLER`` (this module's
``LoginLockoutHandler``) whether the attempt may go ahead.

Two counters in the shared cache (Redis outside local), both within a window of
``FTP_LOGIN_FAILURE_WINDOW`` seconds that starts with the first counted failure:

* per username + address: ``FTP_LOGIN_MAX_FAILURES`` failures, then that
  username is locked out *from that address only*, so nobody can lock a
  colleague out from another address (or a whole trust behind one NAT);
* per address: ``FTP_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures over any
  usernames, then the address is locked out (password spraying).

The count is taken *before* the password is checked: each attempt atomically
increments both counters (Redis ``INCR``) and goes ahead only if neither is
then over its limit, so N parallel guesses can never all be checked. An
attempt refused this way gives its increment back (it was not a guess); a
successful login gives back its address increment and clears its username +
address counter. A wrong password keeps both: that is the failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
from typing import Any

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .types import Actor

log = logging.getLogger(__name__)

LOCKED_OUT_MESSAGE = (
    "Too many failed logins. Try again later. If you still cannot log in, contact your HR team."
)

# Attributes set on the request passed to ``authenticate()``; read back by the
# signal receivers below and by the API's token view.
RESERVED_ATTR = "ftp_login_reserved"
REFUSED_ATTR = "ftp_login_refused"


def client_ip(request: Any) -> str:
    """The client's address, trusting exactly ``FTP_TRUSTED_PROXY_COUNT`` proxies.

    With no trusted proxy (the default) it is ``REMOTE_ADDR``: the peer that
    connected. Behind N reverse proxies, each appends the address it received
    the request from to ``X-Forwarded-For``, so the client is the N-th entry
    from the right; anything further left was written by the client and is
    ignored. A header too short or not an address falls back to ``REMOTE_ADDR``.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    hops = settings.FTP_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _network(address: str) -> str:
    """The unit an address is counted by: itself for IPv4, its /64 for IPv6
    (one household or device is usually given a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(*parts: str) -> str:
    # Hashed so no username or address sits in the cache's key space.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


def pair_key(username: str, address: str) -> str:
    """The cache key counting failures of one username from one address."""
    return f"ftp:login-fail:pair:{_digest(username.casefold(), _network(address))}"


def address_key(address: str) -> str:
    """The cache key counting failures from one address, whatever the username."""
    return f"ftp:login-fail:addr:{_digest(_network(address))}"


def _increment(key: str) -> int:
    """Atomically add one to ``key`` and return the new count.

    ``add`` starts the window (a no-op when the key exists); ``incr`` is
    Redis's atomic INCR (under a lock in LocMem). If the window ran out between
    the two, this failure opens a new one.
    """
    window = settings.FTP_LOGIN_FAILURE_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.set(key, 1, timeout=window)
        return 1


def _give_back(key: str) -> None:
    # A missing key (ValueError): the window has already run out, nothing to give back.
    with contextlib.suppress(ValueError):
        cache.decr(key)


def failures(username: str, address: str) -> tuple[int, int]:
    """Counted failures (username + address, address) in the current windows."""
    return int(cache.get(pair_key(username, address), 0)), int(cache.get(address_key(address), 0))


def _username(credentials: dict[str, Any] | None) -> str:
    value = (credentials or {}).get("username")
    return value if isinstance(value, str) else ""


class LoginLockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """The axes handler: an atomic count before the password check."""

    def is_allowed(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        """Reserve one failure on both counters; refuse if either is then over its limit.

        Called by ``AxesStandaloneBackend`` before any other backend checks the
        password, once per ``authenticate()``.
        """
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        if (credentials or {}).get("password") is None:
            # Single sign-on's callback: the provider checked who this is, so
            # it is no guess; counted, refused sign-ins (no role here) would
            # lock everyone's sign-in from a trust's shared address.
            return True
        address = request.axes_ip_address or ""
        keys = (pair_key(_username(credentials), address), address_key(address))
        pair_count, address_count = (_increment(k) for k in keys)
        if (
            pair_count > settings.FTP_LOGIN_MAX_FAILURES
            or address_count > settings.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS
        ):
            for key in keys:
                _give_back(key)
            setattr(request, REFUSED_ATTR, True)
            return False
        setattr(request, RESERVED_ATTR, keys)
        return True

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        """Read-only: whether the next attempt would be refused."""
        pair, by_address = failures(_username(credentials), request.axes_ip_address or "")
        return (
            pair >= settings.FTP_LOGIN_MAX_FAILURES
            or by_address >= settings.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS
        )

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Failures counted for this username from this address."""
        return failures(_username(credentials), request.axes_ip_address or "")[0]

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        """A wrong password keeps its reservation; a refused attempt is flagged
        so ``AxesMiddleware`` answers with the locked-out page."""
        if request is None or not getattr(request, REFUSED_ATTR, False):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        log.warning("Login refused: too many failures for a username or from an address.")
        user_locked_out.send(
            "axes",
            request=request,
            username=_username(credentials),
            ip_address=request.axes_ip_address,
        )

    def user_logged_in(self, sender: Any, request: Any, user: Actor, **kwargs: Any) -> None:
        """A success is no failure: clear this username + address, give the address back."""
        keys = getattr(request, RESERVED_ATTR, None) if request is not None else None
        if not keys:
            return  # not a password login (force_login, a session already open)
        pair, by_address = keys
        cache.delete(pair)
        _give_back(by_address)
        setattr(request, RESERVED_ATTR, None)

    def user_logged_out(self, sender: Any, request: Any, user: Actor | None, **kwargs: Any) -> None:
        return None

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        """Unlock an address, or a username at an address (``axes_reset_ip``,
        ``axes_reset_ip_username``). The keys are hashed, so a username alone
        cannot be found: its lockouts end with the window."""
        if ip_address is None:
            raise NotImplementedError("Give the address: counters are kept per address.")
        keys = [address_key(ip_address)]
        if username is not None:
            keys = [pair_key(username, ip_address)]
        return sum(1 for key in keys if cache.delete(key))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """What a locked-out login gets (``AXES_LOCKOUT_CALLABLE``): 429, a readable
    page for the web and admin login, the API's error shape under ``/api/``."""
    window = settings.FTP_LOGIN_FAILURE_WINDOW
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": LOCKED_OUT_MESSAGE}, status=429)
    else:
        context = {"minutes": max(1, round(window / 60)), "message": LOCKED_OUT_MESSAGE}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(window)
    return response
