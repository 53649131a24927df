"""The ID token checks the backend adds to the library's: a token signed by
the provider's key but issued to another client is refused (the library
leaves its audience unchecked)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from staff.sso import SsoBackend

from .provider import Provider


@pytest.fixture
def provider_key(settings: Any, sso_on: Provider) -> rsa.RSAPrivateKey:
    """A signing key the backend trusts (as it trusts the provider's JWKS)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key


def id_token(key: rsa.RSAPrivateKey, audience: str | list[str]) -> str:
    now = int(time.time())
    claims = {"iss": "https://idp.test", "sub": "s-1", "aud": audience, "iat": now, "exp": now + 60}
    return jwt.encode({**claims, "nonce": "n"}, key, algorithm="RS256")


def test_a_token_for_this_client_is_accepted(
    provider_key: rsa.RSAPrivateKey, settings: Any
) -> None:
    client = settings.OIDC_RP_CLIENT_ID
    for audience in (client, ["another-app", client]):
        payload = SsoBackend().verify_token(id_token(provider_key, audience), nonce="n")
        assert payload["sub"] == "s-1"


def test_a_token_issued_to_another_client_is_refused(provider_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(SuspiciousOperation, match="issued to another client"):
        SsoBackend().verify_token(id_token(provider_key, "another-app"), nonce="n")
