"""Fixtures for the API tests: a walk through the API."""

from __future__ import annotations

from typing import Any

import pytest

from ..workflow.conftest import extras
from .steps import Walk

__all__ = ["extras"]  # people holding two roles, and panel members nobody convenes


@pytest.fixture
def walk(cast: Any, employee: Any) -> Walk:
    return Walk(cast, employee)
