"""The referral form's reads: the employee picker never offers someone the
manager may not refer, and the duplicate warning names only the open cases
the manager may see.

Hypothesis makes a trust's staff list from a small alphabet (so searches
match several people), links one employee to the manager's own login, puts
look-alikes in another trust, and searches as people of several roles.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from staff.models import Employee
from tenancy.context import trust_entered
from workflow import access
from workflow.referral_selectors import (
    PICKER_LIMIT,
    employees_referable_for,
    open_cases_for,
    referable_employee,
)
from workflow.services import referral_submit, referral_withdraw

from ..factories import EmployeeFactory, make_user, referral_kwargs

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)
name_st = st.text(alphabet="abAB ", min_size=2, max_size=6).map(lambda s: f"N{s}")
query_st = st.text(alphabet="abAB E0", min_size=2, max_size=4)
searcher_st = st.sampled_from(["manager", "manager_hr", "hr", "panel", "nobody"])


def _matches(employee: Employee, text: str) -> bool:
    text = text.strip().lower()
    return text in employee.name.lower() or employee.staff_number.lower().startswith(text)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(name_st, min_size=1, max_size=30),
    mine=st.booleans(),
    query=query_st,
    who=searcher_st,
)
def test_the_picker_offers_exactly_whom_the_manager_may_refer(
    trust: Any, other_trust: Any, names: list[str], mine: bool, query: str, who: str
) -> None:
    with transaction.atomic():
        roles = {
            "manager": [Role.MANAGER],
            "manager_hr": [Role.MANAGER, Role.HR],
            "hr": [Role.HR],
            "panel": [Role.PANEL],
            "nobody": [],
        }[who]
        user = make_user(f"searcher{next(_seq)}", *roles)
        staff = [EmployeeFactory.create(name=n) for n in names]
        if mine:
            staff[0].user = user
            staff[0].save()
        with trust_entered(other_trust):
            for n in names:  # the same names in another trust: never offered
                EmployeeFactory.create(name=n)

        found = employees_referable_for(user, query)

        # Both forms of the rule agree, over the whole staff list.
        allowed = {e.pk for e in staff if access.EmployeeReferable.allows(user, e.user_id)}
        assert (
            set(
                Employee.objects.filter(access.EmployeeReferable.q(user)).values_list(
                    "pk", flat=True
                )
            )
            == allowed
        )
        # Only people this manager may refer, only from this trust, each a match.
        assert all(e.pk in allowed and e.trust_id == trust.id for e in found)
        assert all(_matches(e, query) for e in found)
        if Role.MANAGER not in roles:
            assert found == []
        if mine:
            assert staff[0].pk not in {e.pk for e in found}
        # Every match is found, by name, up to the limit and one more.
        expected = sorted(
            (e for e in staff if e.pk in allowed and _matches(e, query)),
            key=lambda e: (e.name, e.staff_number),
        )
        assert [e.pk for e in found] == [e.pk for e in expected][: PICKER_LIMIT + 1]
        transaction.set_rollback(True)


def test_the_picker_finds_by_staff_number_and_by_part_of_a_name(cast: Any) -> None:
    grace = EmployeeFactory.create(name="Grace Okafor", staff_number="ESR40001")
    EmployeeFactory.create(name="Gregory Mensah", staff_number="ESR40002")

    assert employees_referable_for(cast.manager, "esr40001") == [grace]
    assert employees_referable_for(cast.manager, "okaf") == [grace]
    assert len(employees_referable_for(cast.manager, "esr4")) == 2


def test_the_picker_returns_at_most_one_more_than_its_limit(cast: Any) -> None:
    for i in range(PICKER_LIMIT + 5):
        EmployeeFactory.create(name=f"Sam Lee {i:02d}")
    assert len(employees_referable_for(cast.manager, "Sam Lee")) == PICKER_LIMIT + 1


def test_a_manager_learns_of_open_cases_they_may_not_see_only_as_a_count(
    cast: Any, employee: Any
) -> None:
    theirs = referral_submit(actor=cast.other_manager, **referral_kwargs(employee))
    mine = referral_submit(
        actor=cast.manager, duplicate_reason="A second concern.", **referral_kwargs(employee)
    )

    as_manager = open_cases_for(cast.manager, employee.pk, exclude=None)
    assert [c.reference for c in as_manager.shown] == [mine.reference]
    assert as_manager.others == 1
    as_hr = open_cases_for(cast.hr, employee.pk, exclude=mine.pk)
    assert [c.reference for c in as_hr.shown] == [theirs.reference]
    assert as_hr.others == 0
    # What a warning may print of a case: no substance.
    assert not as_hr.shown[0].may("summary")


def test_closed_cases_are_not_open_cases(cast: Any, employee: Any) -> None:
    case = referral_submit(actor=cast.manager, **referral_kwargs(employee))
    referral_withdraw(case_id=case.pk, actor=cast.manager, reason="Raised in error.")
    assert not open_cases_for(cast.hr, employee.pk)


def test_the_form_looks_up_only_employees_the_manager_may_refer(cast: Any) -> None:
    me = EmployeeFactory.create(user=cast.manager)
    other = EmployeeFactory.create()
    assert referable_employee(cast.manager, me.staff_number) is None
    assert referable_employee(cast.manager, f" {other.staff_number} ") == other
    assert referable_employee(cast.hr, other.staff_number) is None
