"""The funnel from real cases (walked through the services), and the median
time in each stage from their step spells."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.grouping import UnitMap
from reports.pack import FUNNEL_RELATIONS
from reports.selectors import funnel_counts
from reports.stage_times import (
    _bounds,
    _histograms_in_postgres,
    _histograms_in_python,
    median_of,
    stage_times,
)
from tests.factories import EmployeeFactory
from workflow.services import case_record_informal_outcome, case_triage, referral_withdraw

from ..workflow.steps import UNRESOLVED_REASON, Story

LONDON = ZoneInfo("Europe/London")
PERIOD = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def at(day: int, hour: int = 10):
    return time_machine.travel(dt.datetime(2025, 6, day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def cases(cast, employee, units):
    """Seven BME cases in the Emergency Department (Medicine), each ending
    differently, and one white case in Theatres (Surgery) that is redirected."""
    story = Story(cast, employee)
    story.closed()  # resolved informally
    story.formal()
    story.formal()
    story.panel()  # still at the panel
    story.decide(story.convened(), "mediation")
    story.submitted()  # still at triage
    case = story.informal()
    referral_withdraw(case_id=case.pk, actor=cast.hr, reason="The employee has left the trust.")
    white = EmployeeFactory(org_unit=units["the"], ethnic_category="A")
    case = Story(cast, white).submitted()
    case_triage(
        case_id=case.pk, actor=cast.hr, route="redirect", policy="capability", reason="Capability."
    )
    return story


def test_each_case_is_counted_where_it_is_now(cases):
    counts = funnel_counts(UnitMap(), *PERIOD)
    bme = {m: n for (unit, g, m), n in counts.items() if unit == "ICSU-MED" and g == "bme"}
    assert bme == {
        "submitted": 7,
        "resolved_informally": 1,
        "withdrawn_before_panel": 1,
        "open_before_panel": 1,
        "reached_panel": 4,
        "sent_to_signoff": 2,
        "formal": 2,
        # Sign-off opens each one's formal process (formal/): under investigation.
        "investigating": 2,
        "open_at_panel": 1,
        "mediation": 1,
    }
    white = {m: n for (unit, g, m), n in counts.items() if unit == "ICSU-SUR" and g == "white"}
    assert white == {"submitted": 1, "redirected": 1}
    assert counts[("TRUST", "all", "submitted")] == 8
    assert counts[("TRUST", "bme", "formal")] == 2


def test_every_funnel_step_is_the_sum_of_the_ways_out_of_it(cases):
    counts = funnel_counts(UnitMap(), *PERIOD)
    for unit in ("TRUST", "ICSU-MED", "ICSU-SUR"):
        for group in ("white", "bme", "unknown", "all"):
            for total, ways in FUNNEL_RELATIONS:
                assert counts[(unit, group, total)] == sum(counts[(unit, group, w)] for w in ways)


def test_the_period_is_the_day_of_submission_in_the_trusts_time_zone(cast, employee, units):
    story = Story(cast, employee)
    with time_machine.travel(dt.datetime(2025, 5, 31, 23, 30, tzinfo=LONDON)):
        story.submitted()
    counts = funnel_counts(UnitMap(), dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    assert counts[("TRUST", "all", "submitted")] == 0
    counts = funnel_counts(UnitMap(), dt.date(2025, 5, 31), dt.date(2025, 5, 31))
    assert counts[("TRUST", "all", "submitted")] == 1


@pytest.fixture
def timed(cast, employee, units):
    """Three cases with known times: submitted 1 June; triaged after 1, 2 and
    4 days; two go informal and are unresolved after 3 and 5 more days; the
    third is still at triage (left out of the median)."""
    story = Story(cast, employee)
    made = []
    with at(1):
        made = [story.submitted() for _ in range(3)]
    with at(2):
        case_triage(case_id=made[0].pk, actor=cast.hr, route="informal")
    with at(3):
        case_triage(case_id=made[1].pk, actor=cast.hr, route="informal")
    with at(5):
        case_record_informal_outcome(
            case_id=made[0].pk,
            actor=cast.manager,
            resolved=False,
            actions="Talked.",
            reason=UNRESOLVED_REASON,
        )
    with at(8):
        case_record_informal_outcome(
            case_id=made[1].pk,
            actor=cast.manager,
            resolved=False,
            actions="Talked.",
            reason=UNRESOLVED_REASON,
        )
    return made


def test_the_median_time_in_each_stage_counts_only_cases_that_left_it(timed):
    times = stage_times(UnitMap(), *PERIOD)
    assert times[("TRUST", "bme", "submitted")] == (
        1.5,
        2,
    )  # 1 and 2 days; the third is still there
    assert times[("ICSU-MED", "all", "informal")] == (4.0, 2)  # 3 and 5 days
    assert ("TRUST", "bme", "panel") not in times  # both still at the panel


def test_sqlite_gets_the_same_medians_from_python(timed):
    units = UnitMap()
    bounds = _bounds(*PERIOD)
    assert _histograms_in_python(units, *bounds) == _histograms_in_postgres(units, *bounds)


def test_the_median_of_a_histogram_is_the_middle_value_or_the_mean_of_the_middle_two():
    from collections import Counter

    assert median_of(Counter({5: 1})) == 5
    assert median_of(Counter({1: 1, 3: 1})) == 2
    assert median_of(Counter({1: 2, 10: 1})) == 1
    assert median_of(Counter({1: 1, 2: 1, 30: 2})) == 16
