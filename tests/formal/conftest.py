"""Fixtures for the formal process: the workflow tests' people and story
teller, staff who may be named (each with an employee record in another
ICSU than the employee's), and a case whose sign-off just approved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.roles import Role
from workflow.models import Case

from ..factories import EmployeeFactory, make_user, other_units
from ..workflow.conftest import extras, story
from ..workflow.steps import Story

__all__ = ["extras", "story"]


@dataclass
class Staff:
    investigator: Any
    chair: Any
    hearer: Any
    spare: Any


def staff_member(username: str) -> Any:
    user = make_user(username, Role.STAFF)
    EmployeeFactory.create(
        user=user, name=username, band="8b", org_unit=other_units()["other_icsu"]
    )
    return user


@pytest.fixture
def staff(db: None) -> Staff:
    return Staff(
        investigator=staff_member("ivy.investigator"),
        chair=staff_member("chad.chair"),
        hearer=staff_member("hetty.hearer"),
        spare=staff_member("sam.spare"),
    )


@pytest.fixture
def formal_case(story: Story) -> Case:
    return story.formal()
