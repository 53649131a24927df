from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.roles import user_roles
from accounts.trusts import SESSION_TRUSTS
from regional.selectors import can_see_regional
from tenancy.context import current_trust_id
from tenancy.selectors import trust_name


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, for menus (``ftp_roles``), and the trust
    they act for, with whether they hold roles in others (``ftp_trust``,
    ``ftp_trust_switch``)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    held = session.get(SESSION_TRUSTS) if session is not None else None
    return {
        "ftp_roles": {r.value for r in user_roles(getattr(request, "user", None))},
        "ftp_trust": trust_name(current_trust_id()),
        "ftp_trust_switch": isinstance(held, list) and len(held) > 1,
        # The regional benchmark's menu entry (a regional viewer holds no trust role).
        # Asked only when the menu reads it (a template calls a callable).
        "ftp_regional": lambda: user is not None and can_see_regional(user),
    }
