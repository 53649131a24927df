"""The trust an API request acts for (accounts/trusts.py, docs/tenancy.md).

The web's middleware has entered the trust of a session's person already. A
token's holder is known only once DRF authenticates, inside the view: then
they act for the trust named by the ``X-Trust`` header (a trust's code) if
they hold a role there, else for their only trust. A holder of roles in
several trusts who names none acts for none, and so reads nothing.
"""

from __future__ import annotations

from rest_framework.request import Request

from accounts.services import user_trust_ids
from accounts.trusts import request_trust_enter
from tenancy.models import Trust

HEADER = "HTTP_X_TRUST"


def api_trust_enter(request: Request) -> None:
    """Enter the authenticated user's trust unless the request acts for one."""
    http = request._request
    user = request.user
    if getattr(http, "trust_id", None) is not None or not user.is_authenticated:
        return
    held = user_trust_ids(user)
    code = request.META.get(HEADER, "").strip().upper()
    trust_id: int | None = None
    if code:
        trust_id = Trust.objects.filter(code=code, pk__in=held).values_list("pk", flat=True).first()
    elif len(held) == 1:
        trust_id = held[0]
    request_trust_enter(http, trust_id)
