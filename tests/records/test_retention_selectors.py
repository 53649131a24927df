"""The due list's SQL agrees with ``retention_due_on`` for every day asked.

Cases closed or commissioned at awkward moments (29 February, late evening
in British Summer Time, the night the clocks change) under a schedule of
different lengths per class; for generated days, a file is listed exactly
when its due date has come, and never once destroyed or while open."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from records.retention import retention_due_on, years_after
from records.retention_selectors import latest_start, retention_due
from workflow.models import Case

from ..formal.steps import formal_concluded
from ..policy import policy_set
from ..workflow.steps import Story
from .world import LONDON

MOMENTS = [
    dt.datetime(2024, 2, 29, 12, 0, tzinfo=LONDON),
    dt.datetime(2024, 6, 30, 23, 30, tzinfo=LONDON),  # 22:30 UTC: still 30 June here
    dt.datetime(2024, 3, 31, 0, 30, tzinfo=LONDON),  # the night the clocks go forward
    dt.datetime(2023, 12, 31, 23, 59, tzinfo=LONDON),
]


@pytest.fixture
def files(cast: Any, employee: Any) -> list[Case]:
    """A closed and a formal file at each moment, a file destroyed, one open."""
    policy_set(retention_years={"no_formal": 3, "formal": 7})
    story = Story(cast, employee)
    made = []
    for moment in MOMENTS:
        with time_machine.travel(moment):
            made += [story.closed(), formal_concluded(story)]
        with time_machine.travel(moment):
            made.append(story.panel())
    Case.objects.filter(pk=made[0].pk).update(destroyed_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    return made


@examples(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(as_of=st.dates(min_value=dt.date(2026, 12, 1), max_value=dt.date(2031, 12, 31)))
def test_a_file_is_listed_exactly_when_it_is_due(files: list[Case], as_of: dt.date) -> None:
    listed = set(retention_due(as_of).values_list("pk", flat=True))
    expected = {
        case.pk
        for case in Case.objects.filter(pk__in=[c.pk for c in files], destroyed_at__isnull=True)
        if (due := retention_due_on(case)) is not None and due <= as_of
    }
    assert listed == expected


def test_the_edges_are_the_due_dates_themselves(files: list[Case]) -> None:
    for case in Case.objects.filter(pk__in=[c.pk for c in files], destroyed_at__isnull=True):
        due = retention_due_on(case)
        if due is None:
            continue
        assert case.pk in set(retention_due(due).values_list("pk", flat=True))
        assert case.pk not in set(
            retention_due(due - dt.timedelta(days=1)).values_list("pk", flat=True)
        )


@given(
    day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    years=st.integers(1, 10),
)
def test_latest_start_is_the_inverse_of_years_after(day: dt.date, years: int) -> None:
    start = latest_start(day, years)
    assert years_after(start, years) <= day
    assert years_after(start + dt.timedelta(days=1), years) > day
