"""What the accounts layer announces (published through ``core.events``).

A break-glass login is an exceptional event the trust's HR leads must hear
of, and the audit log must hold; but the audit log sits above accounts, so
accounts announces it and ``staff.break_glass`` (above audit) records it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .types import Actor


class LoginDoor(enum.StrEnum):
    """Where a password login came in."""

    WEB = "web"
    ADMIN = "admin"
    API = "api"


@dataclass(frozen=True)
class BreakGlassLogin:
    """``user`` logged in with a password while local passwords are off: only a
    break-glass account can (``accounts.backends``). Published once the login
    has succeeded (Django's ``user_logged_in``), never for a refused one."""

    user: Actor
    door: LoginDoor
