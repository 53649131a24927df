"""Factories for reference data and the shared cast of people."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model

from accounts.roles import Role
from accounts.services import user_add
from staff.models import Employee, OrgUnit

_seq = itertools.count(1)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"OU{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.DEPARTMENT


def org_tree() -> dict[str, OrgUnit]:
    trust: OrgUnit = OrgUnitFactory.create(
        code="TRUST", name="Demo NHS Trust", kind="trust", parent=None
    )
    icsu: OrgUnit = OrgUnitFactory.create(
        code="ICSU-MED", name="Medicine", kind="icsu", parent=trust
    )
    ward: OrgUnit = OrgUnitFactory.create(
        code="DEP-ED", name="Emergency Department", kind="department", parent=icsu
    )
    return {"trust": trust, "icsu": icsu, "department": ward}


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    staff_number = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"Employee {n}")
    job_title = "Staff Nurse"
    band = "5"
    org_unit = factory.LazyFunction(lambda: org_tree()["department"])
    ethnic_category = "N"


def make_user(username: str, *roles: Role, password: str = "pw-Cast-2026!") -> Any:
    user = None
    for role in roles:
        user = user_add(username=username, role=role, password=password, validate=False)
    if user is None:
        user = get_user_model().objects.create_user(username=username, password=password)
    return user


def referral_kwargs(employee: Employee, **overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "staff_number": employee.staff_number,
        "concern_category": "conduct",
        "summary": "Raised voice at a colleague during handover on a busy shift.",
        "incident_date": dt.date.today() - dt.timedelta(days=7),
        "informal_steps_tried": "Quiet word after the shift.",
        "just_culture": {
            "q1a": False,
            "q2a": False,
            "q2b": False,
            "q2c": False,
            "q3a": True,
            "q3b": True,
            "q3c": True,
            "q4a": False,
            "q4b": False,
            "q4c": False,
            "q5a": False,
        },
    }
    kwargs.update(overrides)
    return kwargs
