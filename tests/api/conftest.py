"""Fixtures for the API tests: fast passwords, a clean cache, a walk through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from ..workflow.conftest import extras
from .steps import Walk

__all__ = ["extras"]  # people holding two roles, and panel members nobody convenes


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The cast logs in with real passwords; full-strength PBKDF2 costs a quarter
    # of a second a person, which these tests do not need.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Login-failure counters live in the cache (Redis under FTP_ENV=test): one
    # test's failed logins must not throttle the next test's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def walk(cast: Any, employee: Any) -> Walk:
    return Walk(cast, employee)
