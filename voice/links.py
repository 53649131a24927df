"""The employee's single-use link: making a token, and reading one (ADR 0027).

Pure functions, no database. A token is ``<trust id>.<secret>``: the secret is
32 random bytes (``secrets.token_urlsafe``, 43 characters), so guessing one
is hopeless; the trust's id in front lets the public page, which nobody is
logged in to, enter the right trust (row-level security, ADR 0020) before it
looks the link up. The trust's id says nothing about any case. Only the
SHA-256 of the whole token is stored; the raw token exists in the issuing
request's memory, the employee's email and the page shown once to HR.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

SECRET_BYTES = 32
_TOKEN = re.compile(r"^(?P<trust>[1-9][0-9]{0,9})\.(?P<secret>[A-Za-z0-9_-]{43})$")
# Longer than any token: a longer path is refused before it is hashed.
TOKEN_MAX_LENGTH = 64


@dataclass(frozen=True)
class ParsedToken:
    trust_id: int
    digest: str


def token_make(trust_id: int) -> str:
    """A new raw token for a link of ``trust_id``'s."""
    return f"{int(trust_id)}.{secrets.token_urlsafe(SECRET_BYTES)}"


def token_digest(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the whole raw token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_parse(token: str) -> ParsedToken | None:
    """The trust a token names and its digest; None for anything that is not
    the shape of a token (then nothing is looked up at all)."""
    if not isinstance(token, str) or len(token) > TOKEN_MAX_LENGTH:
        return None
    match = _TOKEN.match(token)
    if match is None:
        return None
    return ParsedToken(trust_id=int(match["trust"]), digest=token_digest(token))


class LinkState:
    LIVE = "live"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def link_state(
    *,
    used_at: dt.datetime | None,
    revoked_at: dt.datetime | None,
    expires_at: dt.datetime,
    case_before_decision: bool,
    now: dt.datetime,
) -> str:
    """Whether a link still opens the page, and if not why (used first: a
    used link says so even after it would have expired)."""
    if used_at is not None:
        return LinkState.USED
    if revoked_at is not None or not case_before_decision:
        return LinkState.REVOKED
    if now >= expires_at:
        return LinkState.EXPIRED
    return LinkState.LIVE
