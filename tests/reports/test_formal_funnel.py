"""The funnel after sign-off: the formal process's stages and outcomes by
ethnic group (issue 20). Each count agrees with a direct count over the
cases, adds up along the funnel, and is suppressed with its complements."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formal.models import FormalProcess
from reports.grouping import TRUST, UnitMap
from reports.pack import FUNNEL_RELATIONS, FUNNEL_STEPS, _funnel_cells
from reports.selectors import FormalPath, formal_measures, funnel_counts, funnel_measures
from reports.suppression import suppress
from staff.ethnicity import wres_group
from tests.factories import EmployeeFactory
from workflow.models import Case

from ..workflow.steps import Story
from .test_pack_suppression import TwoIcsus
from .test_suppression import recoverable

PERIOD = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
FORMAL_MEASURES = [m for m, _ in FUNNEL_STEPS][[m for m, _ in FUNNEL_STEPS].index("formal") :]


# --- every way a formal process can stand (what the database allows) ---------

SANCTIONS = ["none", "first_written", "final_written", "dismissal", "other"]
APPEALABLE = [s for s in SANCTIONS if s != "none"]  # formal_appeal_after_sanction

paths: st.SearchStrategy[FormalPath | None] = st.one_of(
    st.none(),  # commissioned before the formal process was tracked
    st.just(FormalPath()),  # under investigation
    st.builds(FormalPath, outcome=st.sampled_from(["no_case", "informal"])),
    st.builds(FormalPath, outcome=st.just("hearing")),  # hearing not yet held
    st.builds(
        FormalPath,
        outcome=st.just("hearing"),
        hearing_held=st.just(True),
        sanction=st.sampled_from(["", *SANCTIONS]),
    ),
    st.builds(
        FormalPath,
        outcome=st.just("hearing"),
        hearing_held=st.just(True),
        sanction=st.sampled_from(APPEALABLE),
        appealed=st.just(True),
        appeal_outcome=st.sampled_from(["", "not_upheld", "varied", "upheld"]),
    ),
)


def test_each_formal_path_counts_where_a_reader_would_expect():
    assert list(formal_measures(None)) == ["formal_untracked"]
    assert list(formal_measures(FormalPath())) == ["investigating"]
    assert list(formal_measures(FormalPath("no_case"))) == ["inv_no_case"]
    assert list(formal_measures(FormalPath("informal"))) == ["inv_informal"]
    assert list(formal_measures(FormalPath("hearing"))) == ["inv_hearing", "hearing_pending"]
    assert list(formal_measures(FormalPath("hearing", True))) == [
        "inv_hearing",
        "hearing_held",
        "sanction_pending",
    ]
    dismissed = FormalPath("hearing", True, "dismissal", True, "varied")
    assert list(formal_measures(dismissed)) == [
        "inv_hearing",
        "hearing_held",
        "sanction_dismissal",
        "appealed",
        "appeal_upheld",  # varied counts as upheld: the appeal changed the decision
    ]
    assert list(formal_measures(FormalPath("hearing", True, "final_written", True))) == [
        "inv_hearing",
        "hearing_held",
        "sanction_final_written",
        "appealed",
        "appeal_pending",
    ]


def test_only_a_case_in_formal_counts_its_formal_process():
    dismissed = FormalPath("hearing", True, "dismissal")
    assert "sanction_dismissal" not in funnel_measures("signoff", "", True, dismissed)
    assert "sanction_dismissal" in funnel_measures(
        "formal", "formal_investigation", True, dismissed
    )


made_cases = st.lists(
    st.tuples(
        st.sampled_from(["ICSU-A", "ICSU-B", None]),
        st.sampled_from(["white", "bme", "unknown"]),
        paths,
    ),
    max_size=50,
)


def funnel(made: list[tuple[str | None, str, FormalPath | None]]) -> Counter[Any]:
    counts: Counter[Any] = Counter()
    for icsu, group, path in made:
        for unit in [TRUST] + ([icsu] if icsu else []):
            for g in (group, "all"):
                for m in funnel_measures("formal", "formal_investigation", True, path):
                    counts[(unit, g, m)] += 1
    return counts


@settings(max_examples=80, deadline=None)
@given(made_cases)
def test_every_formal_step_is_the_sum_of_the_ways_out_of_it(made):
    counts = funnel(made)
    for unit in (TRUST, "ICSU-A", "ICSU-B"):
        for g in ("white", "bme", "unknown", "all"):
            for total, ways in FUNNEL_RELATIONS:
                assert counts[(unit, g, total)] == sum(counts[(unit, g, w)] for w in ways)


@settings(max_examples=60, deadline=None)
@given(made_cases)
def test_no_small_formal_count_is_shown_or_recoverable(made):
    values, relations, published = _funnel_cells(funnel(made), TwoIcsus())  # type: ignore[arg-type]
    hidden = suppress(values, relations, published=published, threshold=5)
    small = {k for k, v in values.items() if 0 < v < 5}
    assert small & published <= hidden
    not_shown = hidden | (set(values) - published)
    assert not recoverable(not_shown, relations) & small


def test_a_single_dismissal_is_hidden_and_so_is_a_count_that_would_give_it_away():
    """Six BME staff at hearings in one ICSU, five given a first written
    warning and one dismissed: the dismissal is suppressed, and so is another
    count of the hearing's line, or the dismissal would be 6 - 5."""
    warned = ("ICSU-A", "bme", FormalPath("hearing", True, "first_written"))
    dismissed = ("ICSU-A", "bme", FormalPath("hearing", True, "dismissal"))
    values, relations, published = _funnel_cells(funnel([warned] * 5 + [dismissed]), TwoIcsus())  # type: ignore[arg-type]
    hidden = suppress(values, relations, published=published, threshold=5)
    cell = ("f", "ICSU-A", "bme", "sanction_dismissal")
    assert cell in hidden
    line = [("f", "ICSU-A", "bme", m) for m in ("hearing_held", "sanction_first_written")]
    assert any(k in hidden for k in line)
    assert cell not in recoverable(hidden | (set(values) - published), relations)


# --- the database agrees with the cases -----------------------------------------


@pytest.fixture
def formal_cases(cast, employee, units) -> list[Case]:
    """Five cases in formal investigation: three of a BME employee in the
    Emergency Department (Medicine), one of a white employee held against
    Surgery, and one of an employee of unknown ethnicity held against the
    trust itself (in no ICSU)."""
    white = EmployeeFactory(org_unit=units["sur"], ethnic_category="A")
    unknown = EmployeeFactory(org_unit=units["trust"], ethnic_category="Z")
    made = [Story(cast, employee).formal() for _ in range(3)]
    return [*made, Story(cast, white).formal(), Story(cast, unknown).formal()]


def put(case: Case, path: FormalPath | None) -> None:
    """Give ``case`` a formal process standing at ``path`` (or none)."""
    FormalProcess.objects.filter(case=case).delete()
    if path is None:
        return
    now = timezone.now()
    FormalProcess.objects.create(
        case=case,
        opened_at=now,
        investigation_outcome=path.outcome,
        outcome_recorded_at=now if path.outcome else None,
        hearing_held_on=dt.date(2025, 6, 1) if path.hearing_held else None,
        sanction=path.sanction,
        sanction_recorded_at=now if path.sanction else None,
        appeal_lodged_on=dt.date(2025, 6, 20) if path.appealed else None,
        appeal_outcome=path.appeal_outcome,
        appeal_decided_at=now if path.appeal_outcome else None,
    )


def counted_directly(units: UnitMap) -> Counter[Any]:
    """The formal measures counted from the cases and their processes one by
    one, with plain conditions (not ``funnel_measures``)."""
    counts: Counter[Any] = Counter()
    for case in Case.objects.filter(stage="formal").select_related("employee_org_unit"):
        process = FormalProcess.objects.filter(case=case).first()
        found = {"formal"}
        if process is None:
            found.add("formal_untracked")
        else:
            outcome = process.investigation_outcome
            found.add({"": "investigating", "no_case": "inv_no_case"}.get(outcome, ""))
            found.add({"informal": "inv_informal", "hearing": "inv_hearing"}.get(outcome, ""))
            held = process.hearing_held_on is not None or process.sanction != ""
            if outcome == "hearing":
                found.add("hearing_held" if held else "hearing_pending")
                if held and not process.sanction:
                    found.add("sanction_pending")
            if process.sanction:
                found.add(f"sanction_{process.sanction}")
            if process.appeal_lodged_on is not None:
                found.add("appealed")
                found.add(
                    "appeal_pending"
                    if not process.appeal_outcome
                    else "appeal_not_upheld"
                    if process.appeal_outcome == "not_upheld"
                    else "appeal_upheld"
                )
        found.discard("")
        group = wres_group(case.employee_ethnic_category).value
        for unit in units.roll_up(case.employee_org_unit_id):
            for g in (group, "all"):
                for m in found:
                    counts[(unit, g, m)] += 1
    return counts


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(paths, min_size=5, max_size=5))
def test_the_funnels_formal_counts_agree_with_the_cases(formal_cases, chosen):
    for case, path in zip(formal_cases, chosen, strict=True):
        put(case, path)
    units = UnitMap()
    counts = funnel_counts(units, *PERIOD)
    expected = counted_directly(units)
    for unit in units.codes():
        for g in ("white", "bme", "unknown", "all"):
            for m in FORMAL_MEASURES:
                assert counts[(unit, g, m)] == expected[(unit, g, m)], (unit, g, m)
