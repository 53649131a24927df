from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.roles import user_roles


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in person's roles, for menus (``ftp_roles``)."""
    return {"ftp_roles": {r.value for r in user_roles(getattr(request, "user", None))}}
