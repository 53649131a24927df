"""WRES indicator 3 counts each person once, whatever is destroyed and when.

WRES counts distinct staff entering formal investigation per unit, year and
group. A destroyed file no longer names its person, so at destruction it
carries them (``wres_counted``) only if no live case of theirs in the same
cell still does. For generated people, cases and orders of destruction, the
count after every single destruction equals the count before any.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.sequencing import forget_head
from records.retention import case_destroy
from reports.grouping import UnitMap
from reports.selectors import formal_entries
from staff.models import Employee, OrgUnit

from ..factories import EmployeeFactory
from ..formal.steps import formal_concluded
from ..workflow.steps import Story
from .world import LATER, LONDON

# Where a case is: its person, unit, WRES year and the person's recorded
# ethnic category when it was referred (it may change between two cases).
case_st = st.tuples(
    st.integers(0, 1),
    st.sampled_from(["DEP-ED", "ICSU-SUR"]),
    st.sampled_from([2023, 2024]),
    st.sampled_from(["N", "A", "Z"]),
)


def entries() -> Any:
    return formal_entries(UnitMap(), 2023, 2024)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(case_st, min_size=1, max_size=5), order=st.randoms(use_true_random=False))
def test_each_person_counts_once_across_live_cases_and_tombstones(cast, plan, order):
    with transaction.atomic():
        people = [EmployeeFactory.create() for _ in range(2)]
        cases = []
        for day, (who, unit, year, category) in enumerate(plan):
            Employee.objects.filter(pk=people[who].pk).update(
                org_unit=OrgUnit.objects.get(code=unit), ethnic_category=category
            )
            when = dt.datetime(year, 6, 1, 10, 0, tzinfo=LONDON) + dt.timedelta(days=day)
            with time_machine.travel(when):
                cases.append(formal_concluded(Story(cast, people[who])))
        before = entries()
        assert sum(before.values()) > 0
        order.shuffle(cases)
        with time_machine.travel(LATER):
            for case in cases:
                case_destroy(
                    case_id=case.pk, actor=cast.hr, reference=case.reference, reason="Due."
                )
                assert entries() == before
        transaction.set_rollback(True)
    forget_head()
