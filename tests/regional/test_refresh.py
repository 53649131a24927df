"""The refresh: each sharing trust's figures, computed in its own context,
equal its own governance pack's, suppression and all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from regional.models import BenchmarkFigure, TrustBenchmark
from regional.services import regional_refresh, regional_trust_refresh
from reports.pack import DIVERSIONS, Figure, governance_pack
from tenancy.context import trust_entered

from .conftest import YEAR, Region

GROUP_MEASURES = ("entered", "headcount", "rate")


def stored(
    trust: Any, sections: tuple[str, ...] = ("indicator3", "funnel")
) -> dict[tuple[str, int, str, str], tuple[float | None, bool]]:
    """The trust's stored figures of ``sections`` (default: those of its
    governance pack's WRES sections; tests/regional/test_equity.py reads the rest)."""
    benchmark = TrustBenchmark.objects.get(trust=trust, year=YEAR)
    return {
        (f.section, f.window, f.group, f.measure): (f.value, f.suppressed)
        for f in benchmark.figures.filter(section__in=sections)
    }


def own_report(trust: Any) -> dict[tuple[str, int, str, str], Figure]:
    """The trust-wide figures of the trust's own governance pack for the year,
    read inside the trust as its governance viewers read them. Written here
    from the pack itself, not with the regional app's extraction."""
    with trust_entered(trust):
        pack = governance_pack(year=YEAR, suppressed=True)
    figures: dict[tuple[str, int, str, str], Figure] = {}
    for row in pack.trend:
        if row.org_unit != "TRUST" or row.year != YEAR:
            continue
        for g, cells in row.groups.items():
            for m in GROUP_MEASURES:
                figures[("indicator3", row.window, g, m)] = getattr(cells, m)
        for m in ("relative_likelihood", "ci95_low", "ci95_high"):
            figures[("indicator3", row.window, "", m)] = getattr(row, m)
        flag = None if row.non_adverse is None else int(row.non_adverse)
        figures[("indicator3", row.window, "", "non_adverse")] = Figure(
            flag, row.relative_likelihood.hidden
        )
    trust_row = next(f for f in pack.funnel if f.org_unit == "TRUST")
    for g, cell in trust_row.groups.items():
        for m in ("submitted", "reached_panel", "formal"):
            figures[("funnel", 0, g, m)] = cell.counts[m]
        for label, base, _ in DIVERSIONS:
            figures[("funnel", 0, g, f"diverted_from_{base}")] = cell.diversion[label]
        figures[("funnel", 0, g, "formal_share")] = cell.formal_share
    return figures


def test_each_trusts_regional_figures_equal_its_own_report(region: Region):
    assert regional_refresh(year=YEAR) == ["RAL", "RBX"]
    for trust in region.sharing:
        own = own_report(trust)
        shared = stored(trust)
        assert set(shared) == set(own)
        for key, figure in own.items():
            value, suppressed = shared[key]
            assert suppressed == figure.hidden, (trust.code, key)
            expected = None if figure.hidden or figure.value is None else figure.value
            assert value == expected, (trust.code, key)


def test_the_trusts_figures_differ_as_their_data_does(region: Region):
    regional_refresh(year=YEAR)
    ral, rbx = stored(region.ral), stored(region.rbx)
    assert ral[("indicator3", 1, "white", "headcount")] == (2505.0, False)
    assert rbx[("indicator3", 1, "white", "headcount")] == (1000.0, False)
    # RBX: (20 / 1000) / (10 / 1000) = 2.0
    assert rbx[("indicator3", 1, "", "relative_likelihood")] == (2.0, False)
    assert rbx[("funnel", 0, "bme", "submitted")] == (5.0, False)
    assert rbx[("funnel", 0, "bme", "diverted_from_submitted")] == (1.0, False)
    # RAL's six BME cases are hidden to protect its one white case (secondary
    # suppression, as in its own pack); RBX's five are shown.
    assert ral[("funnel", 0, "bme", "submitted")] == (None, True)


def test_a_trust_that_does_not_share_is_absent(region: Region):
    regional_refresh(year=YEAR)
    assert not TrustBenchmark.objects.filter(trust=region.rno).exists()
    # Even asked for by name, inside its own context.
    with trust_entered(region.rno):
        assert regional_trust_refresh(year=YEAR) is None
    assert not TrustBenchmark.objects.filter(trust=region.rno).exists()


def test_a_trust_that_stops_sharing_is_removed_at_the_next_refresh(region: Region):
    regional_refresh(year=YEAR)
    region.rbx.shares_with_region = False
    region.rbx.save()
    assert regional_refresh(year=YEAR) == ["RAL"]
    assert list(TrustBenchmark.objects.values_list("trust__code", flat=True)) == ["RAL"]


def test_suppressed_figures_leave_the_trust_without_their_value(region: Region):
    regional_refresh(year=YEAR)
    ral = stored(region.ral)
    # Three unknown entries: under five, so suppressed, and so is their rate.
    assert ral[("indicator3", 1, "unknown", "entered")] == (None, True)
    assert ral[("indicator3", 1, "unknown", "rate")] == (None, True)
    # One white case: the count, and the diversion rate built on it.
    assert ral[("funnel", 0, "white", "submitted")] == (None, True)
    assert ral[("funnel", 0, "white", "diverted_from_submitted")] == (None, True)
    # Six BME cases: not small, but hidden so that the one white case cannot be
    # worked out from the total (secondary suppression, as the trust's own pack).
    assert ral[("funnel", 0, "bme", "submitted")] == (None, True)
    hidden = BenchmarkFigure.objects.filter(suppressed=True)
    assert hidden.exists()
    assert not hidden.filter(value__isnull=False).exists()


def test_the_table_refuses_a_suppressed_figure_with_a_value(region: Region):
    regional_refresh(year=YEAR)
    figure = BenchmarkFigure.objects.filter(suppressed=True).first()
    assert figure is not None
    figure.value = 3.0
    with pytest.raises(IntegrityError), transaction.atomic():
        figure.save()


def test_refreshing_twice_keeps_one_set_of_figures(region: Region):
    regional_refresh(year=YEAR)
    first = stored(region.ral)
    regional_refresh(year=YEAR)
    assert stored(region.ral) == first
    assert TrustBenchmark.objects.filter(trust=region.ral).count() == 1


def test_the_command_and_the_task_refresh_every_sharing_trust(region: Region, monkeypatch):
    call_command("regional_refresh", "--year", str(YEAR))
    assert set(TrustBenchmark.objects.values_list("trust__code", flat=True)) == {"RAL", "RBX"}
    TrustBenchmark.objects.all().delete()

    from config.celery import app
    from regional.tasks import regional_figures_refresh

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    with trust_entered(None):  # as beat sends it: outside any trust
        assert regional_figures_refresh(year=YEAR) == ["RAL", "RBX"]
    assert set(TrustBenchmark.objects.values_list("trust__code", flat=True)) == {"RAL", "RBX"}
    for trust in region.sharing:
        assert len(stored(trust)) == len(own_report(trust))


def test_each_trust_is_suppressed_by_its_own_threshold(region: Region):
    from tests.policy import policy_set

    # RBX publishes no count under 25: its entries of 10 and 20 stay home,
    # and so do the ratio and interval built on them. RAL's threshold is 5.
    policy_set(region.rbx, report_suppression_threshold=25)
    regional_refresh(year=YEAR)
    rbx, ral = stored(region.rbx), stored(region.ral)
    assert rbx[("indicator3", 1, "white", "entered")] == (None, True)
    assert rbx[("indicator3", 1, "", "relative_likelihood")] == (None, True)
    assert rbx[("indicator3", 1, "", "ci95_low")] == (None, True)
    assert ral[("indicator3", 1, "white", "entered")] == (17.0, False)
    assert TrustBenchmark.objects.get(trust=region.rbx).threshold == 25
    for trust in region.sharing:  # and still each equals its own report
        own = own_report(trust)
        assert stored(trust) == {
            k: (None if f.hidden or f.value is None else f.value, f.hidden) for k, f in own.items()
        }


def test_beat_refreshes_the_regional_figures_once_a_day() -> None:
    from celery.schedules import crontab

    import regional.tasks  # noqa: F401 - registers the tasks, as a worker's start does
    from config.celery import app

    app.finalize(auto=True)
    [entry] = [
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "regional.tasks.regional_figures_refresh"
    ]
    assert entry["schedule"] == crontab(hour=4, minute=45)
    assert "regional.tasks.regional_trust_figures_refresh" in app.tasks
