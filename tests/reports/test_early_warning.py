"""The early warning (docs/early-warning.md): the method on hand-computed
examples, and the command's output from real cases and imported history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.early_warning import (
    EXACT_MAX_N,
    _float_is_safe,
    band_of,
    binomial_tail,
    early_warning,
    months_before,
    significant,
    tail_of,
    two_decimals,
    window_start,
)
from reports.importers import headcount_import
from reports.models import ReferralHistory
from staff.models import Employee
from tests.factories import EmployeeFactory, OrgUnitFactory
from workflow.models import Case

from ..workflow.steps import Story
from .conftest import HEAD, csv_text

LONDON = ZoneInfo("Europe/London")

# --- the method -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 3, 31), 24, dt.date(2022, 3, 31)),
        (dt.date(2024, 2, 29), 12, dt.date(2023, 2, 28)),
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 15), 13, dt.date(2022, 12, 15)),
        (dt.date(2025, 5, 31), 3, dt.date(2025, 2, 28)),
    ],
)
def test_months_are_calendar_months_clamped_to_the_months_end(day, months, expected):
    assert months_before(day, months) == expected


def test_the_window_starts_the_day_after_as_at_less_the_months():
    assert window_start(dt.date(2025, 3, 31), 24) == dt.date(2023, 4, 1)


def test_the_tail_on_hand_computed_examples():
    half = Fraction(1, 2)
    assert binomial_tail(5, 5, half) == Fraction(1, 32)
    assert binomial_tail(5, 4, half) == Fraction(6, 32)
    assert binomial_tail(6, 5, half) == Fraction(7, 64)
    # Bin(11, 1/4): sum over k = 6..11 of C(11, k) 3^(11-k), over 4^11.
    assert binomial_tail(11, 6, Fraction(1, 4)) == Fraction(143980, 4**11)


def test_the_tail_at_the_edges():
    assert binomial_tail(7, 0, Fraction(0)) == 1
    assert binomial_tail(7, 0, Fraction(1, 3)) == 1
    assert binomial_tail(7, 1, Fraction(0)) == 0
    assert binomial_tail(7, 7, Fraction(1)) == 1
    assert binomial_tail(7, 8, Fraction(1, 2)) == 0
    with pytest.raises(ValueError, match="p must be between"):
        binomial_tail(3, 1, Fraction(3, 2))


def test_bands_are_strictly_below_the_thresholds():
    # Bin(3, 1/10) has P(X >= 3) exactly 1/1000: at the threshold, not below it.
    at_alert = binomial_tail(3, 3, Fraction(1, 10))
    assert at_alert == Fraction(1, 1000)
    assert band_of(5, at_alert) == "warning"
    assert band_of(5, at_alert - Fraction(1, 10**12)) == "alert"
    assert band_of(5, Fraction(25, 1000)) == "none"
    assert band_of(5, Fraction(25, 1000) - Fraction(1, 10**12)) == "warning"
    # 1/1024 (ten of ten at p = 1/2) is an alert; 11/1024 a warning.
    assert band_of(10, binomial_tail(10, 10, Fraction(1, 2))) == "alert"
    assert band_of(10, binomial_tail(10, 9, Fraction(1, 2))) == "warning"


def test_under_five_referrals_is_insufficient_whatever_the_tail():
    assert band_of(4, Fraction(0)) == "insufficient"
    assert band_of(5, None) == "insufficient"


def test_rounding():
    assert significant(Fraction(143980, 4**11)) == 0.03433
    assert significant(Fraction(1, 1024)) == 0.0009766
    assert two_decimals(Fraction(11, 4)) == 2.75
    assert two_decimals(Fraction(1, 8)) == 0.13  # half up
    assert two_decimals(Fraction(0)) == 0.0


def _cdf_below(n: int, x: int, p: Fraction) -> Fraction:
    """P(X < x) from the probability mass function, term by term."""
    total = Fraction(0)
    for k in range(x):
        coefficient = 1
        for i in range(k):
            coefficient = coefficient * (n - i) // (i + 1)
        total += coefficient * p**k * (1 - p) ** (n - k)
    return total


probabilities = st.builds(Fraction, st.integers(0, 50), st.integers(1, 50)).filter(lambda p: p <= 1)


@given(n=st.integers(0, 40), x=st.integers(0, 42), p=probabilities)
def test_the_tail_is_one_less_the_cdf(n, x, p):
    expected = Fraction(0) if x > n else 1 - _cdf_below(n, x, p)
    assert binomial_tail(n, x, p) == expected


@given(n=st.integers(0, 40), p=probabilities)
def test_the_tail_never_rises_with_x(n, p):
    tails = [binomial_tail(n, x, p) for x in range(n + 2)]
    assert tails == sorted(tails, reverse=True)
    assert all(0 <= t <= 1 for t in tails)


# --- the reads and the command ----------------------------------------------------------


def _history(day: str, manager, unit, category: str) -> None:
    employee: Employee = EmployeeFactory.create(org_unit=unit, ethnic_category=category)
    ReferralHistory.objects.create(
        referred_on=dt.date.fromisoformat(day),
        manager=manager,
        employee=employee,
        entered_formal=False,
        org_unit=unit,
        ethnic_category=category,
        imported_at=timezone.now(),
    )


def _case_on(story: Story, manager, when: dt.datetime) -> Case:
    case = story.submitted(manager)
    Case.objects.filter(pk=case.pk).update(submitted_at=when)
    return case


@pytest.fixture
def referrals(units, cast, employee):
    """Headcount on 31 March 2025: Emergency Department half BME (50 A, 50 N),
    Acute Medical Unit all white (100 A), Theatres none: Medicine is 50 of
    200, a quarter. Referrals in the 24 months to 31 March 2025 (from 1 April
    2023): see each line."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,50",
            "2025-03-31,DEP-ED,N,50",
            "2025-03-31,DEP-AMU,A,100",
            "2025-03-31,DEP-ED,Z,40",  # unknown: in neither
            "2024-03-31,DEP-ED,A,1",  # an older snapshot
            "2025-06-30,DEP-ED,N,1000",  # after as_at
        )
    )
    ed, amu = units["ed"], units["amu"]
    m1 = EmployeeFactory(staff_number="M1", org_unit=ed, ethnic_category="A")
    m2 = EmployeeFactory(staff_number="M2", org_unit=amu, ethnic_category="A", user=cast.manager)
    # M1, Emergency Department: 4 BME and 1 white in the window.
    for day in ("2023-04-01", "2024-01-10", "2024-06-01", "2025-03-31"):
        _history(day, m1, ed, "N")
    _history("2024-02-02", m1, ed, "A")
    _history("2024-02-03", m1, ed, "Z")  # unknown: not counted
    _history("2023-03-31", m1, ed, "N")  # the window's excluded end
    # M2, Acute Medical Unit (no BME staff): 4 white and 1 BME.
    for day in ("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"):
        _history(day, m2, amu, "B")
    _history("2024-01-05", m2, amu, "H")
    # M2 (cast.manager) in the product: the test employee (N, Emergency
    # Department), on 31 March 2025 late evening local time; then destroyed,
    # a tombstone that keeps only its group.
    story = Story(cast, employee)
    case = _case_on(story, cast.manager, dt.datetime(2025, 3, 31, 23, 30, tzinfo=LONDON))
    Case.objects.filter(pk=case.pk).update(
        destroyed_at=timezone.now(), employee_ethnic_category="", wres_group="bme"
    )
    # 1 April 2025 00:30 local time is after the window.
    _case_on(story, cast.manager, dt.datetime(2025, 4, 1, 0, 30, tzinfo=LONDON))
    # A manager with no employee record: counted for the unit, not as a manager.
    white = EmployeeFactory(org_unit=units["the"], ethnic_category="A")
    _case_on(Story(cast, white), cast.other_manager, dt.datetime(2024, 5, 1, 12, tzinfo=LONDON))
    # A manager whose only referral is of unknown ethnicity is not listed.
    m3 = EmployeeFactory(staff_number="M3", org_unit=ed, ethnic_category="A")
    _history("2024-07-07", m3, ed, "Z")


EXPECTED = [
    # Acute Medical Unit: p = 0, so one BME referral has p-value 0.
    {"level": "department", "key": "DEP-AMU", "n": 5, "bme": 1, "expected": 0.0,
     "p_value": 0.0, "band": "alert"},
    # M2: p of their own unit (0); 5 imported + 1 product referral.
    {"level": "manager", "key": "M2", "n": 6, "bme": 2, "expected": 0.0,
     "p_value": 0.0, "band": "alert"},
    # Medicine: 11 referrals, 6 BME, p = 1/4: 143980 / 4^11.
    {"level": "icsu", "key": "ICSU-MED", "n": 11, "bme": 6, "expected": 2.75,
     "p_value": 0.03433, "band": "none"},
    # Emergency Department: 6 referrals (5 imported, 1 tombstone), 5 BME, p = 1/2: 7/64.
    {"level": "department", "key": "DEP-ED", "n": 6, "bme": 5, "expected": 3.0,
     "p_value": 0.1094, "band": "none"},
    # M1: 5 referrals, 4 BME, p = 1/2: 6/32.
    {"level": "manager", "key": "M1", "n": 5, "bme": 4, "expected": 2.5,
     "p_value": 0.1875, "band": "none"},
    # Theatres and Surgery: no headcount, so no baseline.
    {"level": "department", "key": "DEP-THE", "n": 1, "bme": 0, "expected": None,
     "p_value": None, "band": "insufficient"},
    {"level": "icsu", "key": "ICSU-SUR", "n": 1, "bme": 0, "expected": None,
     "p_value": None, "band": "insufficient"},
]  # fmt: skip


def test_the_rows_on_a_hand_computed_trust(referrals):
    rows = [row.as_json() for row in early_warning(dt.date(2025, 3, 31))]
    assert rows == EXPECTED


def test_every_unit_is_listed_with_no_referrals(units):
    rows = [row.as_json() for row in early_warning(dt.date(2025, 3, 31))]
    assert [(r["level"], r["key"], r["n"], r["band"]) for r in rows] == [
        ("department", "DEP-AMU", 0, "insufficient"),
        ("department", "DEP-ED", 0, "insufficient"),
        ("department", "DEP-THE", 0, "insufficient"),
        ("icsu", "ICSU-MED", 0, "insufficient"),
        ("icsu", "ICSU-SUR", 0, "insufficient"),
    ]


def test_a_shorter_window_counts_fewer(referrals):
    rows = {r.key: r for r in early_warning(dt.date(2025, 3, 31), window_months=12)}
    # From 1 April 2024: M1's referrals of 1 June 2024 and 31 March 2025, the tombstone.
    assert (rows["DEP-ED"].n, rows["DEP-ED"].bme) == (3, 3)
    assert rows["M1"].n == 2
    assert rows["DEP-AMU"].n == 0


def test_another_trusts_referrals_are_not_counted(referrals, other_trust):
    from tenancy.context import trust_entered

    with trust_entered(other_trust):
        assert early_warning(dt.date(2025, 3, 31)) == []


def test_the_command_prints_json(referrals):
    out = io.StringIO()
    call_command("early_warning", "--as-at", "2025-03-31", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == EXPECTED


def test_the_command_prints_the_same_rows_as_csv_and_a_table(referrals, units):
    OrgUnitFactory(code="=HYPERLINK(1)", kind="department", parent=units["sur"])
    out = io.StringIO()
    call_command("early_warning", "--as-at", "2025-03-31", "--format", "csv", stdout=out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["level", "key", "n", "bme", "expected", "p_value", "band"]
    assert lines[1] == ["department", "DEP-AMU", "5", "1", "0.0", "0.0", "alert"]
    assert ["department", "'=HYPERLINK(1)", "0", "0", "", "", "insufficient"] in lines
    assert len(lines) == 1 + len(EXPECTED) + 1
    out = io.StringIO()
    call_command("early_warning", "--as-at", "2025-03-31", stdout=out)
    table = out.getvalue().splitlines()
    assert table[0] == "Early warning: 24 months to 2025-03-31"
    assert table[2].split() == ["department", "DEP-AMU", "5", "1", "0.00", "0", "alert"]
    assert table[3].split()[:2] == ["manager", "M2"]
    assert len(table) == 2 + len(EXPECTED) + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-at", "2025-02-30"], "--as-at must be a date"),
        (["--as-at", "31/03/2025"], "--as-at must be a date"),
        (["--as-at", "2025-03-31", "--format", "xml"], "--format must be"),
        (["--as-at", "2025-03-31", "--window-months", "0"], "--window-months must be"),
    ],
)
def test_the_command_refuses_bad_arguments(units, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("early_warning", *args, stdout=io.StringIO())


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(EXACT_MAX_N + 1, 700),
    share=st.fractions(min_value=Fraction(1, 50), max_value=Fraction(49, 50), max_denominator=3000),
    offset=st.integers(-40, 60),
)
def test_the_fast_tail_gives_the_bands_and_figures_of_the_exact_one(
    n: int, share: Fraction, offset: int
) -> None:
    """Above ``EXACT_MAX_N`` the tail is a float made exact near a threshold or a
    rounding edge: what is shown (band, 4 significant figures, order) is the
    exact tail's."""
    x = min(n, max(0, round(n * share) + offset))
    fast, exact = tail_of(n, x, share), binomial_tail(n, x, share)
    assert band_of(n, fast) == band_of(n, exact)
    assert significant(fast) == significant(exact)
    assert abs(fast - exact) <= Fraction(1, 10**9) * max(exact, Fraction(1, 10**300))


def test_a_float_near_a_threshold_or_a_rounding_edge_is_not_trusted() -> None:
    """Where a float's last bits could move the band or the figures shown,
    ``tail_of`` computes the exact tail instead."""
    assert not _float_is_safe(0.025)
    assert not _float_is_safe(0.025 * (1 + 1e-12))
    assert not _float_is_safe(0.001 * (1 - 1e-12))
    assert not _float_is_safe(0.12345)  # 0.1234 or 0.1235, by the last bits
    assert not _float_is_safe(1e-300)  # floating point has lost its precision
    assert _float_is_safe(0.0251)
    assert _float_is_safe(0.3)
