"""Fixtures for the workflow tests: a few more people, and a story teller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.roles import Role

from ..factories import in_pool, make_user, other_units
from .steps import Story


@dataclass
class Extras:
    """People who hold two roles, and a panel member nobody convenes (all four
    who sit on panels are in the pool)."""

    panel_d: Any
    manager_dm: Any  # a referring manager who is also a decision-maker
    manager_panel: Any  # a referring manager who also sits on panels
    manager_hr: Any  # a referring manager who is also an HR adviser
    hr_panel: Any  # an HR adviser who also sits on panels
    dm_panel: Any  # a decision-maker who also sits on panels


@pytest.fixture
def extras(db: None) -> Extras:
    people = Extras(
        panel_d=make_user("dev.panel", Role.PANEL),
        manager_dm=make_user("mo.manager-dm", Role.MANAGER, Role.DECISION_MAKER),
        manager_panel=make_user("mia.manager-panel", Role.MANAGER, Role.PANEL),
        manager_hr=make_user("max.manager-hr", Role.MANAGER, Role.HR),
        hr_panel=make_user("hal.hr-panel", Role.HR, Role.PANEL),
        dm_panel=make_user("dan.dm-panel", Role.DECISION_MAKER, Role.PANEL),
    )
    # Each of them, with any two of the cast's panel, makes a panel that meets
    # the default rules: they may chair, and are trained independent members
    # from another ICSU than the test employee's.
    surgery = other_units()["other_icsu"]
    for person in (people.panel_d, people.manager_panel, people.hr_panel, people.dm_panel):
        in_pool(person, unit=surgery, band="8a", trained=True)
    return people


@pytest.fixture
def story(cast: Any, employee: Any) -> Story:
    return Story(cast, employee)
