"""The early warning as its viewers see it (reports/early_warning_report.py):
HR's view with managers and every figure; governance's with units only and
small counts suppressed by the pack's rule; the funnel and the pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.early_warning import Row, early_warning
from reports.early_warning_funnel import ABOVE_998, funnel_position, limits_at
from reports.early_warning_report import (
    CSV_HEADER,
    SUPPRESSED,
    EarlyWarningReport,
    early_warning_report,
    early_warning_units_report,
    suppression_cells,
)
from reports.early_warning_snapshot import early_warning_snapshot_compute
from reports.suppression import determined, suppress
from tests.factories import EmployeeFactory
from tests.policy import policy_set

from .conftest import refer

AS_AT = dt.date(2025, 3, 31)


def every_row(report):
    return report.page(1, size=10_000).rows


def by_key(report):
    return {(r.level, r.key): r for r in every_row(report)}


def hr_report(as_at: dt.date = AS_AT, months: int = 24) -> EarlyWarningReport:
    """HR's view, once the snapshot it reads has been computed."""
    early_warning_snapshot_compute(as_at=as_at, window_months=months)
    report = early_warning_report(as_at=as_at, window_months=months, suppressed=False)
    assert report is not None
    return report


def governance_report() -> EarlyWarningReport:
    report = early_warning_report(as_at=AS_AT, window_months=24, suppressed=True)
    assert report is not None
    return report


def test_hr_sees_nothing_until_the_day_and_window_are_computed(trust_figures):
    assert early_warning_report(as_at=AS_AT, window_months=24, suppressed=False) is None
    # Governance's view of units needs no snapshot.
    assert early_warning_report(as_at=AS_AT, window_months=24, suppressed=True) is not None


def test_hr_sees_every_level_with_managers_named_and_every_figure(trust_figures):
    report = hr_report()
    rows = by_key(report)
    assert report.levels == ("icsu", "department", "manager")
    assert {k for k in rows if k[0] == "manager"} == {
        ("manager", "M1"),
        ("manager", "M2"),
        ("manager", "M3"),
    }
    assert rows[("manager", "M1")].name == "Mona First"
    ed = rows[("department", "DEP-ED")]
    # P(X >= 10) for Bin(12, 1/2) = (66 + 12 + 1) / 4096.
    assert (ed.n.value, ed.bme.value, ed.expected.value) == (12, 10, 6.0)
    assert ed.p_value.value == pytest.approx(79 / 4096, rel=1e-3)
    assert ed.band == "warning"
    assert ed.share.value == pytest.approx(10 / 12)
    assert ed.position == funnel_position(12, 10, limits_at(12, 70 / 300)) == ABOVE_998
    assert not any(r.n.hidden or r.bme.hidden for r in every_row(report))
    # The rows keep the method's order (by p-value).
    assert [(r.level, r.key) for r in every_row(report)] == [
        (r.level, r.key) for r in early_warning(AS_AT, 24)
    ]
    assert report.p0 == Fraction(70, 300)


def test_governance_sees_units_only_and_no_small_count(trust_figures):
    hr_report()  # a snapshot with managers in it changes nothing for governance
    report = governance_report()
    assert report.levels == ("icsu", "department")
    assert all(r.level != "manager" for r in every_row(report))
    assert not any(r.name in ("Mona First", "Milo Second", "Mae Third") for r in every_row(report))
    rows = by_key(report)
    # Listed by level and code, not by p-value.
    assert [r.key for r in every_row(report)] == [
        "ICSU-MED",
        "ICSU-SUR",
        "DEP-AMU",
        "DEP-ED",
        "DEP-THE",
    ]
    for row in every_row(report):
        n, bme = int(row.n.value or 0), int(row.bme.value or 0)
        assert row.n.hidden or not 0 < n < report.threshold, row
        assert row.bme.hidden or not 0 < bme < report.threshold, row
        if not row.n.hidden and not row.bme.hidden:
            # White = n - bme is never a small count either.
            assert not 0 < n - bme < report.threshold, row
    amu = rows[("department", "DEP-AMU")]
    assert amu.n.hidden  # 3 referrals
    assert amu.band == SUPPRESSED
    assert amu.p_value.hidden
    assert amu.expected.hidden
    ed = rows[("department", "DEP-ED")]
    assert not ed.n.hidden
    assert ed.bme.hidden  # 2 white: the BME count would give it away
    assert ed.band == SUPPRESSED
    assert ed.p_value.hidden
    assert ed.share.hidden
    assert ed.position == ""  # not drawn
    assert ed.expected.value == 6.0
    assert not ed.expected.hidden
    the = rows[("department", "DEP-THE")]
    assert (the.n.value, the.bme.value, the.band) == (6, 0, "none")
    assert the.position
    assert report.hidden_count >= 2


def test_the_threshold_is_the_trusts(trust_figures):
    policy_set(report_suppression_threshold=2)
    report = governance_report()
    rows = by_key(report)
    assert report.threshold == 2
    assert not rows[("department", "DEP-AMU")].n.hidden
    assert not rows[("department", "DEP-ED")].bme.hidden


def test_the_governance_csv_has_no_manager_and_no_suppressed_count(trust_figures):
    report = governance_report()
    rows = list(report.csv_rows())
    assert rows[0] == CSV_HEADER
    assert {r[0] for r in rows[1:]} == {"icsu", "department"}
    flat = [str(v) for r in rows for v in r]
    assert not {"M1", "M2", "M3", "Mona First"} & set(flat)
    ed = next(r for r in rows if r[1] == "DEP-ED")
    assert ed[3:9] == (12, "[c]", 6.0, "[c]", SUPPRESSED, "[c]")
    amu = next(r for r in rows if r[1] == "DEP-AMU")
    assert amu[3] == "[c]"


def test_a_funnel_per_level_to_its_largest_n(trust_figures):
    report = hr_report()
    funnels = {f.level: f for f in report.funnels()}
    assert set(funnels) == {"icsu", "department", "manager"}
    departments = funnels["department"]
    assert departments.p0 == pytest.approx(70 / 300)
    assert len(departments.limits) == 12  # DEP-ED's 12 referrals
    assert {p.key for p in departments.points} == {"DEP-ED", "DEP-AMU", "DEP-THE"}
    assert departments.not_drawn == 0
    governance = {f.level: f for f in governance_report().funnels()}
    assert set(governance) == {"icsu", "department"}
    assert {p.key for p in governance["department"].points} == {"DEP-THE"}
    assert governance["department"].not_drawn == 2


def test_with_no_headcount_there_is_no_funnel(units):
    refer(EmployeeFactory(staff_number="M9", org_unit=units["ed"]), units["ed"], "N", 5)
    report = hr_report()
    assert report.p0 is None
    assert all(not r.position for r in every_row(report))
    assert all(f.limits == () and f.points == [] for f in report.funnels())


def test_the_pages_are_bounded_and_the_last_is_kept(trust_figures):
    report = hr_report()
    assert report.count() == 8  # 2 ICSUs, 3 departments, 3 managers
    assert (report.count("icsu"), report.count("department"), report.count("manager")) == (2, 3, 3)
    first = report.page(1, size=3)
    assert (len(first.rows), first.number, first.count, first.previous, first.next) == (
        3,
        1,
        3,
        None,
        2,
    )
    last = report.page(3, size=3)
    assert (len(last.rows), last.previous, last.next) == (2, 2, None)
    assert report.page(99, size=3).number == 3
    managers = report.page(1, level="manager")
    assert {r.key for r in managers.rows} == {"M1", "M2", "M3"}
    seen = [r.key for n in (1, 2, 3) for r in report.page(n, size=3).rows]
    assert seen == [r.key for r in every_row(report)]
    departments = [r.key for n in (1, 2) for r in report.page(n, "department", size=2).rows]
    assert departments == [r.key for r in every_row(report) if r.level == "department"]


def test_the_units_are_the_same_from_a_snapshot_as_computed_alone(trust_figures):
    """Without a snapshot the units are computed alone; with one, read from
    it: the same rows, figures and order either way."""
    alone = early_warning_units_report(as_at=AS_AT, window_months=24, suppressed=False)
    hr_report()
    kept = early_warning_units_report(as_at=AS_AT, window_months=24, suppressed=False)
    assert kept.snapshot is not None
    assert alone.snapshot is None
    assert every_row(kept) == every_row(alone)


def test_the_pack_view_leaves_managers_out_unsuppressed(trust_figures):
    report = early_warning_units_report(as_at=AS_AT, window_months=24, suppressed=False)
    assert report.levels == ("icsu", "department")
    assert not report.suppressed
    assert by_key(report)[("department", "DEP-AMU")].n.value == 3


@given(
    departments=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=4),
    own=st.tuples(st.integers(0, 6), st.integers(0, 6)),
    threshold=st.integers(2, 6),
)
def test_no_suppressed_count_can_be_worked_out_from_those_shown(departments, own, threshold):
    """An ICSU and its departments, each (BME, white) referrals, and some held
    against the ICSU itself: no shown count is small, and no small count
    (shown or not: white, the ICSU's own) is fixed by the counts shown."""
    codes = [f"DEP-{i}" for i in range(len(departments))]
    rows = [
        Row("department", c, b + w, b, None) for c, (b, w) in zip(codes, departments, strict=True)
    ]
    bme = sum(b for b, _ in departments) + own[0]
    white = sum(w for _, w in departments) + own[1]
    rows.append(Row("icsu", "ICSU-A", bme + white, bme, None))
    values, relations, published = suppression_cells(rows, {"ICSU-A": codes})
    hidden = suppress(values, relations, published=published, threshold=threshold)
    shown = published - hidden
    assert not [k for k in shown if 0 < values[k] < threshold]
    by_cell = defaultdict(list)
    for relation in relations:
        for member in relation.members:
            by_cell[member].append(relation)
    fixed = determined(set(values) - shown, by_cell)
    assert not [k for k in fixed if 0 < values[k] < threshold]
