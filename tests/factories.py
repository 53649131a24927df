"""Factories for reference data and the shared cast of people."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model

from accounts.roles import Role
from panels.models import PoolMember, StaffNetwork
from staff.models import Employee, OrgUnit
from staff.services import user_add

_seq = itertools.count(1)


class OrgUnitFactory(factory.django.DjangoModelFactory[OrgUnit]):
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


def other_units() -> dict[str, OrgUnit]:
    """Beside the test employee's Emergency Department: another department of
    the same ICSU, and a department of another ICSU."""
    tree = org_tree()
    surgery: OrgUnit = OrgUnitFactory.create(
        code="ICSU-SUR", name="Surgery", kind="icsu", parent=tree["trust"]
    )
    return {
        "same_icsu": OrgUnitFactory.create(
            code="DEP-AMU", name="Acute Medical Unit", kind="department", parent=tree["icsu"]
        ),
        "other_icsu": OrgUnitFactory.create(
            code="DEP-THE", name="Theatres", kind="department", parent=surgery
        ),
    }


class EmployeeFactory(factory.django.DjangoModelFactory[Employee]):
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


def in_pool(
    user: Any,
    *,
    unit: OrgUnit,
    band: str = "8a",
    trained: bool = False,
    networks: tuple[str, ...] = (),
    away_until: dt.date | None = None,
    line_manager: Employee | None = None,
) -> Employee:
    """Put ``user`` in the panel pool with an employee record of their own."""
    employee: Employee = EmployeeFactory.create(
        name=user.get_full_name() or user.get_username(),
        job_title="Matron" if band >= "8" else "Senior Staff Nurse",
        band=band,
        org_unit=unit,
        line_manager=line_manager,
        user=user,
    )
    member, _ = PoolMember.objects.update_or_create(
        user=user,
        defaults={
            "independent_trained_until": dt.date.today() + dt.timedelta(days=365)
            if trained
            else None,
            "away_until": away_until,
        },
    )
    for name in networks:
        network, _ = StaffNetwork.objects.get_or_create(
            name=name, defaults={"code": name.lower().replace(" ", "-")[:32]}
        )
        member.networks.add(network)
    return employee
