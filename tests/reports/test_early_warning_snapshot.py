"""Early-warning snapshots (reports/early_warning_snapshot.py): the method's
rows kept in its order, replaced when computed again, dropped by the imports
that change them, pruned, made each night and at each quarter's alert run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.csv_import import ImportFailed
from reports.early_warning import early_warning
from reports.early_warning_alerts import early_warning_alerts_record
from reports.early_warning_snapshot import (
    KEEP_DAYS,
    Reason,
    early_warning_nightly_run,
    early_warning_snapshot_compute,
    early_warning_snapshots_prune,
    snapshot_of,
    snapshot_rows,
)
from reports.importers import headcount_import
from reports.models import EarlyWarningRow, EarlyWarningSnapshot
from reports.referral_import import referral_history_import
from reports.tasks import early_warning_nightly
from tenancy.context import trust_entered
from tests.factories import EmployeeFactory

from .conftest import HEAD, csv_text, refer

AS_AT = dt.date(2025, 3, 31)


def kept(snapshot: EarlyWarningSnapshot, level: str | None = None) -> list[EarlyWarningRow]:
    return snapshot_rows(snapshot, start=0, stop=10_000, level=level)


def test_a_snapshot_keeps_the_methods_rows_in_its_order(trust_figures):
    snapshot = early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    method = early_warning(AS_AT, 24)
    rows = kept(snapshot)
    assert [(r.level, r.key, r.n, r.bme) for r in rows] == [
        (r.level, r.key, r.n, r.bme) for r in method
    ]
    assert [r.rank for r in rows] == list(range(len(method)))
    assert (snapshot.icsus, snapshot.departments, snapshot.managers) == (2, 3, 3)
    assert snapshot.count() == 8
    ed = next(r for r in rows if r.key == "DEP-ED")
    # P(X >= 10) for Bin(12, 1/2) = 79/4096, to 4 significant figures.
    assert (ed.p_value, ed.band, ed.expected) == (0.01929, "warning", Decimal("6.00"))
    assert ed.position  # against the funnel around 70/300
    for level in ("icsu", "department", "manager"):
        mine = kept(snapshot, level)
        assert [r.level_rank for r in mine] == list(range(len(mine)))
        assert [r.key for r in mine] == [r.key for r in rows if r.level == level]


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(1, 9), start=st.integers(0, 9))
def test_any_range_of_a_level_is_that_slice_of_its_rows(trust_figures, size, start):
    """A page is a range of the index: the same rows as slicing the whole list."""
    snapshot = snapshot_of(AS_AT, 24) or early_warning_snapshot_compute(
        as_at=AS_AT, window_months=24
    )
    every = kept(snapshot)
    assert snapshot_rows(snapshot, start=start, stop=start + size) == every[start : start + size]
    departments = [r for r in every if r.level == "department"]
    assert (
        snapshot_rows(snapshot, start=start, stop=start + size, level="department")
        == departments[start : start + size]
    )


def test_computing_again_replaces_the_snapshot_and_a_quarterly_one_stays_quarterly(
    trust_figures,
):
    first = early_warning_snapshot_compute(as_at=AS_AT, window_months=24, reason=Reason.QUARTER_END)
    again = early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    assert EarlyWarningSnapshot.objects.filter(as_at=AS_AT, window_months=24).count() == 1
    assert not EarlyWarningRow.objects.filter(snapshot_id=first.pk).exists()
    assert again.reason == Reason.QUARTER_END
    assert EarlyWarningRow.objects.filter(snapshot=again).count() == 8


def test_an_import_drops_the_snapshots_it_could_change(trust_figures, units):
    before = early_warning_snapshot_compute(as_at=dt.date(2024, 5, 31), window_months=24)
    after = early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    manager = EmployeeFactory(staff_number="M7", org_unit=units["ed"])
    employee = EmployeeFactory(staff_number="E7", org_unit=units["ed"], ethnic_category="N")
    referral_history_import(
        text=csv_text(
            "referred_on,manager_staff_number,employee_staff_number,entered_formal",
            f"2024-07-01,{manager.staff_number},{employee.staff_number},no",
        )
    )
    assert EarlyWarningSnapshot.objects.filter(pk=before.pk).exists()
    assert not EarlyWarningSnapshot.objects.filter(pk=after.pk).exists()
    # A headcount dated before both drops the rest.
    headcount_import(text=csv_text(HEAD, "2024-01-31,DEP-ED,A,50"))
    assert not EarlyWarningSnapshot.objects.exists()


def test_a_refused_import_drops_nothing(trust_figures):
    early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    with pytest.raises(ImportFailed, match="Nothing was imported"):
        headcount_import(text=csv_text(HEAD, "2024-01-31,NOWHERE,A,50"))
    assert EarlyWarningSnapshot.objects.count() == 1


def test_old_snapshots_are_pruned_and_quarterly_ones_kept_longer(trust_figures):
    today = dt.date(2025, 6, 30)
    old_day = today - dt.timedelta(days=KEEP_DAYS + 1)
    recent_day = today - dt.timedelta(days=KEEP_DAYS)
    early_warning_snapshot_compute(as_at=old_day, window_months=24, reason=Reason.NIGHTLY)
    early_warning_snapshot_compute(as_at=recent_day, window_months=24, reason=Reason.NIGHTLY)
    early_warning_snapshot_compute(as_at=AS_AT, window_months=24, reason=Reason.QUARTER_END)
    early_warning_snapshot_compute(
        as_at=dt.date(2022, 3, 31), window_months=24, reason=Reason.QUARTER_END
    )
    assert early_warning_snapshots_prune(today) == 2
    assert set(EarlyWarningSnapshot.objects.values_list("as_at", flat=True)) == {
        recent_day,
        AS_AT,
    }
    assert not EarlyWarningRow.objects.exclude(
        snapshot__in=EarlyWarningSnapshot.objects.all()
    ).exists()


def test_the_nightly_run_computes_yesterday_over_12_and_24_months(trust_figures):
    made = early_warning_nightly_run(dt.date(2025, 4, 1))
    assert [(s.as_at, s.window_months, s.reason) for s in made] == [
        (AS_AT, 12, Reason.NIGHTLY),
        (AS_AT, 24, Reason.NIGHTLY),
    ]
    assert made[1].managers == 3


def test_the_beat_task_runs_every_trust(trust_figures, other_trust):
    # Beat sends it outside any trust: it runs in each.
    with (
        time_machine.travel(dt.datetime(2025, 4, 1, 2, 0, tzinfo=dt.UTC), tick=False),
        trust_entered(None),
    ):
        assert early_warning_nightly() == 4  # two windows, two trusts
    assert snapshot_of(AS_AT, 24) is not None
    with trust_entered(other_trust):
        other = snapshot_of(AS_AT, 24)
        assert other is not None
        assert other.managers == 0  # the first trust's managers are not in it


def test_the_quarterly_alert_run_keeps_its_quarter(trust_figures, units):
    refer(EmployeeFactory(staff_number="MA", org_unit=units["amu"]), units["amu"], "N", 5)
    early_warning_alerts_record(quarter_end=AS_AT)
    snapshot = snapshot_of(AS_AT, 24)
    assert snapshot is not None
    assert snapshot.reason == Reason.QUARTER_END
    alerts = {(r.level, r.key) for r in kept(snapshot) if r.band == "alert"}
    assert ("manager", "MA") in alerts
