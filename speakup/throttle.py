"""Failed follow-up attempts, counted in the cache (Redis outside local).

Two counters, each within a window of ``WINDOW_SECONDS`` that starts with
its first failure: per case key (``PER_KEY`` failures, then that key opens
nothing until the window ends, whoever types it) and per client address
(``PER_CLIENT`` failures over any keys). As the login lockout
(``accounts.lockout``), each attempt takes its increments *before* the
passphrase is checked, so parallel guesses cannot all be checked, and a
right answer gives them back.

With a case key of about 78 bits, guessing a key is hopeless already; the
per-key counter protects a key someone has seen (over a shoulder, on a
printout) from a guessed passphrase. The cache keys are keyed hashes: the
cache holds no key and no address.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

PER_KEY = 5
PER_CLIENT = 20
WINDOW_SECONDS = 60 * 60


def _digest(kind: str, value: str) -> str:
    secret = settings.SECRET_KEY.encode()
    mac = hmac.new(secret, f"speakup:{kind}:{value}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def key_counter(case_key: str) -> str:
    return f"ftp:speakup-fail:key:{_digest('key', case_key)}"


def client_counter(address: str) -> str:
    return f"ftp:speakup-fail:client:{_digest('client', address)}"


def _increment(counter: str) -> int:
    cache.add(counter, 0, timeout=WINDOW_SECONDS)
    try:
        return int(cache.incr(counter))
    except ValueError:
        cache.set(counter, 1, timeout=WINDOW_SECONDS)
        return 1


def _give_back(counter: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(counter)


def attempt_reserve(case_key: str, address: str) -> bool:
    """Count an attempt against the key and the client; False (and nothing
    counted) when either is already at its limit."""
    counters = (key_counter(case_key), client_counter(address))
    counts = (_increment(counters[0]), _increment(counters[1]))
    if counts[0] > PER_KEY or counts[1] > PER_CLIENT:
        for counter in counters:
            _give_back(counter)
        return False
    return True


def attempt_succeeded(case_key: str, address: str) -> None:
    """A right key and passphrase: the attempt was no guess."""
    _give_back(key_counter(case_key))
    _give_back(client_counter(address))


def attempts_clear(case_key: str, address: str) -> None:
    """Forget both counters (tests, and an operator unblocking a reporter)."""
    cache.delete_many([key_counter(case_key), client_counter(address)])
