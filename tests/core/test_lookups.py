"""``field__any_of``: the same rows as ``field__in``, with the list sent as one parameter."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from staff.models import Employee, OrgUnit
from tests.factories import org_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> list[Employee]:
    tree = org_tree()
    units = [tree["trust"], tree["icsu"], tree["department"]]
    return [
        Employee.objects.create(staff_number=f"S{i:03d}", name=f"Person {i}", org_unit=units[i % 3])
        for i in range(12)
    ]


def test_a_primary_key_list_finds_what_in_finds(staff: list[Employee]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from([e.pk for e in staff] + [0, -1, 10**12]), max_size=15))
    def check(ids: list[int]) -> None:
        found = set(Employee.objects.filter(pk__any_of=ids).values_list("pk", flat=True))
        assert found == set(Employee.objects.filter(pk__in=ids).values_list("pk", flat=True))

    check()


def test_a_foreign_key_list_finds_what_in_finds(staff: list[Employee]) -> None:
    units = list(OrgUnit.objects.values_list("pk", flat=True))

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.sampled_from(units), max_size=4))
    def check(ids: list[int]) -> None:
        found = set(Employee.objects.filter(org_unit_id__any_of=ids).values_list("pk", flat=True))
        assert found == {e.pk for e in staff if e.org_unit_id in ids}

    check()


def test_the_list_is_one_parameter_however_long(staff: list[Employee]) -> None:
    ids = [e.pk for e in staff] + list(range(10**9, 10**9 + 1000))
    with CaptureQueriesContext(connection) as ctx:
        assert Employee.objects.filter(pk__any_of=ids).count() == len(staff)
    sql = ctx.captured_queries[0]["sql"]
    assert "= ANY(" in sql
    assert " IN (" not in sql


def test_an_empty_list_finds_nobody(staff: list[Employee]) -> None:
    assert not get_user_model().objects.filter(pk__any_of=[]).exists()
    assert not Employee.objects.filter(pk__any_of=set()).exists()
