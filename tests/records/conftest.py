"""Fixtures for the subject access tests: the shared cast with full names, and a
story teller that walks cases through the services."""

from __future__ import annotations

from typing import Any

import pytest

from ..workflow.steps import Story

FULL_NAMES = {
    "manager": ("Maya", "Marlowe"),
    "other_manager": ("Omar", "Okafor"),
    "hr": ("Hana", "Holloway"),
    "panel_a": ("Priya", "Penrose"),
    "panel_b": ("Paul", "Pemberton"),
    "panel_c": ("Pat", "Prendergast"),
    "director": ("Dina", "Drummond"),
    "governance": ("Gill", "Garrow"),
    "outsider": ("Olly", "Ormerod"),
}


@pytest.fixture
def people(cast: Any) -> Any:
    """The shared cast, each with a full name (as single sign-on would give them)."""
    for role, (first, last) in FULL_NAMES.items():
        user = getattr(cast, role)
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return cast


@pytest.fixture
def story(people: Any, employee: Any) -> Story:
    return Story(people, employee)
