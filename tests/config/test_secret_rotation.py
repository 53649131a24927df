"""Rotating SECRET_KEY (docs/operations.md, "Rotating secrets"): with the old
key among SECRET_KEY_FALLBACKS, what it signed stays valid; without it, it
does not, and production refuses a fallback too short to be a key."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings

from tests.config.test_settings import PRODUCTION, _load_settings
from tests.factories import make_user

OLD = "old-" + "o" * 50
NEW = "new-" + "n" * 50


@pytest.mark.django_db
def test_a_session_signed_with_the_old_key_survives_only_while_it_is_a_fallback() -> None:
    """A session used while the old key is a fallback is signed again with the
    new one (Django's rotation) and lives on; one not used in that time is
    refused once the fallback goes."""
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        used, idle = Client(), Client()
        used.force_login(make_user("rota"))
        idle.force_login(make_user("idle"))
        assert _signed_in(used)
        assert _signed_in(idle)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        assert _signed_in(used)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert _signed_in(used)
        assert not _signed_in(idle)


@pytest.mark.django_db
def test_a_password_reset_token_made_with_the_old_key_checks_while_it_is_a_fallback() -> None:
    user = make_user("rota")
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        token = default_token_generator.make_token(user)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        assert default_token_generator.check_token(user, token)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert not default_token_generator.check_token(user, token)


def test_production_refuses_a_short_fallback_key() -> None:
    result = _load_settings(**PRODUCTION, SECRET_KEY_FALLBACKS=f"{OLD},short")
    assert result.returncode != 0
    assert "SECRET_KEY_FALLBACKS" in result.stderr
    assert _load_settings(**PRODUCTION, SECRET_KEY_FALLBACKS=OLD).returncode == 0


def _signed_in(client: Client) -> bool:
    response: Any = client.get("/")
    return bool(response.wsgi_request.user.is_authenticated)
