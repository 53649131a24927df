"""The claims the test identity provider sends, from the people file.

Each person in ``IDP_PEOPLE`` (JSON, written by the test launcher) has a
username and password, ``oid`` (Entra's stable object id), names, email,
``employeeid`` and ``groups``; ``groups_in`` says where the groups go:
``id_token`` (as Entra sends them), ``userinfo`` (as other providers do) or
``both``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from oidc_provider.lib.claims import ScopeClaims  # type: ignore[import-untyped]


def person(user: Any) -> dict[str, Any]:
    with open(os.environ["IDP_PEOPLE"], encoding="utf-8") as people:
        found: dict[str, Any] = json.load(people)[user.get_username()]
    return found


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    """The standard profile and email claims."""
    someone = person(user)
    claims.update(
        given_name=someone["given_name"],
        family_name=someone["family_name"],
        email=someone["email"],
        email_verified=True,
    )
    return claims


def id_token_claims(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    """Entra's way: groups, oid and the optional employeeid in the ID token."""
    someone = person(user)
    id_token.update(oid=someone["oid"], employeeid=someone["employeeid"], email=someone["email"])
    if someone["groups_in"] in ("id_token", "both"):
        id_token["groups"] = someone["groups"]
    return id_token


class TrustClaims(ScopeClaims):  # type: ignore[misc]  # untyped library
    """Other providers' way: groups (and the staff number) from userinfo."""

    def scope_profile(self) -> dict[str, Any]:
        someone = person(self.user)
        extra: dict[str, Any] = {"employeeid": someone["employeeid"]}
        if someone["groups_in"] in ("userinfo", "both"):
            extra["groups"] = someone["groups"]
        return extra
