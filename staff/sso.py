"""Single sign-on with OpenID Connect: NHSmail (Microsoft Entra ID) or any
provider that speaks the code flow.

mozilla-django-oidc does the protocol: the redirect to the provider (with
state, nonce and PKCE), the code exchange at the token endpoint, the ID
token's RS256 signature against the provider's published keys, and the
userinfo call. ``SsoBackend`` takes over once the ID token is verified:

* the ID token must be for this client (its audience, which the library
  leaves unchecked);
* the person is named by the stable subject claim (``FTP_OIDC_SUBJECT_CLAIM``:
  ``sub`` by default, ``oid`` on Entra) and the token's issuer, never by email;
* their groups are read from the ID token (Entra puts them there) and from
  userinfo (other providers do), both;
* their roles are the roles those groups map to (``FTP_OIDC_ROLE_MAP``); none
  means no access here;
* ``staff.services.user_sso_sign_in`` then creates or finds the login, sets
  exactly those roles and links the employee record (docs/sso.md).

The ID token's claims win over userinfo's: they are signed. No claim value
reaches the application log: messages name the claim, not what it held.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

from accounts.roles import Role
from accounts.types import Actor
from tenancy.models import Trust
from tenancy.policy import sso_role_map

from .models import SsoIdentity
from .services import user_sso_sign_in

# Set on the callback's request when a person signed in at the provider but
# holds no role here; the callback view sends them to the no-access page.
_REFUSED_ATTR = "ftp_sso_refused"
# How long an issuer or subject may be: what ``SsoIdentity`` stores.
_KEY_LENGTH = SsoIdentity._meta.get_field("subject").max_length or 0


@dataclass(frozen=True)
class SsoPerson:
    """What a sign-in says about the person, read from the provider's claims."""

    issuer: str
    subject: str
    groups: frozenset[str]
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    staff_number: str = ""


def roles_for(groups: Iterable[str], role_map: Mapping[str, Iterable[str]]) -> frozenset[Role]:
    """The roles ``groups`` give under ``role_map`` (group -> role values): each
    mapped group's roles, together; groups not in the map give nothing."""
    return frozenset(Role(value) for group in groups for value in role_map.get(group, ()))


def roles_by_trust(groups: Iterable[str]) -> dict[int, frozenset[Role]]:
    """The roles ``groups`` give in each trust that maps provider groups to
    roles (its policy's role map, ``tenancy.policy.sso_role_map``); trusts
    with no role map are left out: single sign-on gives no roles there."""
    groups = list(groups)
    result: dict[int, frozenset[Role]] = {}
    for trust in Trust.objects.order_by("pk"):
        role_map = sso_role_map(trust)
        if role_map:
            result[trust.pk] = roles_for(groups, role_map)
    return result


def _group_names(value: Any) -> set[str]:
    # A provider sends a list of names (or ids); one group may come as a string.
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {str(v) for v in value if isinstance(v, str | int) and str(v)}
    return set()


# Control characters: PostgreSQL refuses NUL in text, and none belongs in a
# name, an address or a staff number.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(claims: Mapping[str, Any], name: str, limit: int) -> str:
    """A text claim that fits its field (``limit`` characters), or "" as if it
    were not sent: a number is taken as text; anything longer, holding a
    control character, or of another type (a list, an object, a boolean) is
    not. Never cut short: a cut email or staff number could be someone else's."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    if isinstance(value, int) and not -(10**limit) < value < 10**limit:
        return ""
    text = str(value).strip()
    return text if len(text) <= limit and not _CONTROL.search(text) else ""


def _key_text(claims: Mapping[str, Any], name: str) -> str:
    """A claim that names the person (the subject, the issuer): refused when
    it does not fit ``SsoIdentity``'s field rather than cut short, which could
    make two people one."""
    text = _text(claims, name, _KEY_LENGTH)
    if not text:
        raise SuspiciousOperation(
            f"The provider's {name!r} claim is missing, too long or not plain text."
        )
    return text


def sso_person_read(id_claims: Mapping[str, Any], userinfo: Mapping[str, Any]) -> SsoPerson:
    """The person the verified ID token's claims and the userinfo claims describe.

    Raises SuspiciousOperation when userinfo is about someone else (its ``sub``
    differs, which OpenID Connect forbids), or the subject or issuer claim is
    missing, longer than can be stored, or not plain text. Other claims that
    do not fit their field are left out (``_text``).
    """
    if "sub" in userinfo and userinfo.get("sub") != id_claims.get("sub"):
        raise SuspiciousOperation("The userinfo response is about another subject.")
    claims = {**userinfo, **id_claims}
    groups_claim = settings.FTP_OIDC_GROUPS_CLAIM
    return SsoPerson(
        issuer=_key_text(id_claims, "iss") if "iss" in id_claims else settings.OIDC_RP_CLIENT_ID,
        subject=_key_text(claims, settings.FTP_OIDC_SUBJECT_CLAIM),
        groups=frozenset(
            _group_names(id_claims.get(groups_claim)) | _group_names(userinfo.get(groups_claim))
        ),
        email=_text(claims, settings.FTP_OIDC_EMAIL_CLAIM, 254),
        first_name=_text(claims, "given_name", 150),
        last_name=_text(claims, "family_name", 150),
        staff_number=_text(claims, settings.FTP_OIDC_STAFF_NUMBER_CLAIM, 32),
    )


def sign_in_refused(request: Any) -> bool:
    """Whether this request's sign-in was refused for want of a role here."""
    return bool(getattr(request, _REFUSED_ATTR, False))


class SsoBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # the library is untyped
    """mozilla-django-oidc's backend, finding people by subject and giving them
    the roles their groups map to (``staff.services.user_sso_sign_in``)."""

    def authenticate(self, request: Any, **kwargs: Any) -> Actor | None:
        """Exchange a code only for the callback view, which checked the
        ``state`` and passes the ``nonce`` and PKCE verifier it kept. Django
        asks every backend on every ``authenticate()``: without this a code in
        a password form's query string would be exchanged with none of them."""
        if set(kwargs) != {"nonce", "code_verifier"}:
            return None
        user: Actor | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature, expiry and nonce; this checks the
        token was issued to this client too (its audience), which it leaves out."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> Actor | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        person = sso_person_read(payload, userinfo)
        user = user_sso_sign_in(
            issuer=person.issuer,
            subject=person.subject,
            roles=roles_by_trust(person.groups),
            groups_seen=len(person.groups),
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            staff_number=person.staff_number,
        )
        if user is None:
            setattr(self.request, _REFUSED_ATTR, True)
        return user
