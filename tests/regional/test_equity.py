"""The regional additions: each sharing trust's early-warning counts (units
only) and its FTSU quarter totals, computed inside the trust on the day of
the refresh, suppressed with the trust's threshold before they are stored
(a suppressed figure has no value), on the page and in both downloads; a
trust that does not share is absent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from regional.models import BenchmarkFigure, TrustBenchmark
from regional.services import regional_refresh
from reports.early_warning import band_of, early_warning
from speakup.models import Concern
from speakup.report import Quarter, ftsu_pack_section
from tenancy.context import trust_entered

from ..policy import policy_set
from .conftest import YEAR, Region
from .test_refresh import stored

REFRESH_DAY = dt.date(2025, 7, 15)
QUARTER = Quarter(2025, 1)  # the latest complete quarter on 15 July 2025
FTSU_GROUPS = ("white", "bme", "unknown")


def on_refresh_day() -> Any:
    moment = dt.datetime(2025, 7, 15, 5, 0, tzinfo=ZoneInfo("Europe/London"))
    return time_machine.travel(moment, tick=False)


def concern(day: str, code: str, *flags: str, anonymous: bool = False) -> None:
    Concern.objects.create(
        source="raised",
        route="anonymous" if anonymous else "confidential",
        received_on=dt.date.fromisoformat(day),
        ethnic_category=code,
        account="A-CONCERN-IN-THE-REPORTERS-WORDS",
        created_at=timezone.now(),
        **{flag: True for flag in flags},
    )


@pytest.fixture
def speaking_up(region: Region) -> Region:
    """RAL: 7 white concerns about patient safety and 2 anonymous BME concerns
    about racism in 2025 Q1; RBX: 12 concerns of unknown ethnicity about
    worker safety; RNO (not sharing): 20 concerns. Each outside the quarter too."""
    for _ in range(7):
        concern("2025-05-01", "A", "patient_safety")
    for _ in range(2):
        concern("2025-06-30", "N", "racism", anonymous=True)
    concern("2025-07-01", "N", "racism")  # Q2: not in the quarter
    with trust_entered(region.rbx):
        for _ in range(12):
            concern("2025-04-01", "", "worker_safety")
    with trust_entered(region.rno):
        for _ in range(20):
            concern("2025-04-02", "H", "racism")
    return region


def ftsu(trust: Any) -> dict[tuple[str, int, str, str], tuple[float | None, bool]]:
    return stored(trust, ("ftsu",))


def warning(trust: Any) -> dict[tuple[str, int, str, str], tuple[float | None, bool]]:
    return stored(trust, ("early_warning",))


def test_the_ftsu_quarter_is_the_trusts_own_pack_figures(speaking_up: Region):
    with on_refresh_day():
        assert regional_refresh(year=YEAR) == ["RAL", "RBX"]
    for trust in speaking_up.sharing:
        benchmark = TrustBenchmark.objects.get(trust=trust, year=YEAR)
        assert (benchmark.ftsu_year, benchmark.ftsu_quarter) == (2025, 1)
        assert benchmark.early_warning_as_at == REFRESH_DAY
        with trust_entered(trust):
            own = ftsu_pack_section(quarter=QUARTER, suppressed=True).trust.figures
        expected = {
            ("ftsu", 0, m if m in FTSU_GROUPS else "", "total" if m in FTSU_GROUPS else m): (
                None if f.hidden else float(f.value or 0),
                f.hidden,
            )
            for m, f in own.items()
        }
        assert ftsu(trust) == expected


def test_small_ftsu_counts_leave_the_trust_without_their_value(speaking_up: Region):
    with on_refresh_day():
        regional_refresh(year=YEAR)
    ral, rbx = ftsu(speaking_up.ral), ftsu(speaking_up.rbx)
    assert ral[("ftsu", 0, "", "total")] == (9.0, False)
    assert ral[("ftsu", 0, "", "patient_safety")] == (7.0, False)
    assert ral[("ftsu", 0, "", "worker_safety")] == (0.0, False)
    assert ral[("ftsu", 0, "", "anonymous")] == (None, True)
    assert ral[("ftsu", 0, "", "racism")] == (None, True)
    # Two BME concerns: suppressed, and so is the white count, or 9 - 7 - 0 gives them.
    assert ral[("ftsu", 0, "bme", "total")] == (None, True)
    assert ral[("ftsu", 0, "white", "total")] == (None, True)
    assert rbx[("ftsu", 0, "unknown", "total")] == (12.0, False)
    assert rbx[("ftsu", 0, "", "worker_safety")] == (12.0, False)
    hidden = BenchmarkFigure.objects.filter(section="ftsu", suppressed=True)
    assert hidden.exists()
    assert not hidden.filter(value__isnull=False).exists()


def test_early_warning_counts_units_by_band(speaking_up: Region):
    """RBX with threshold 1 (nothing suppressed): five BME referrals in
    Theatres, whose workforce is all BME: p = 1, so band none for Theatres and
    Surgery; the Emergency Department, the Acute Medical Unit and Medicine have
    no referrals: insufficient."""
    policy_set(speaking_up.rbx, report_suppression_threshold=1)
    with on_refresh_day():
        regional_refresh(year=YEAR)
    shown = {k[2:]: v for k, v in warning(speaking_up.rbx).items()}
    assert shown == {
        ("icsu", "alert"): (0.0, False),
        ("icsu", "warning"): (0.0, False),
        ("icsu", "none"): (1.0, False),
        ("icsu", "insufficient"): (1.0, False),
        ("icsu", "total"): (2.0, False),
        ("department", "alert"): (0.0, False),
        ("department", "warning"): (0.0, False),
        ("department", "none"): (1.0, False),
        ("department", "insufficient"): (2.0, False),
        ("department", "total"): (3.0, False),
    }


def test_early_warning_counts_are_suppressed_with_the_trusts_threshold(speaking_up: Region):
    with on_refresh_day():
        regional_refresh(year=YEAR)
    for trust in speaking_up.sharing:
        with trust_entered(trust):
            rows = early_warning(REFRESH_DAY, 24)
        counts = Counter((r.level, band_of(r.n, r.tail)) for r in rows if r.level != "manager")
        for (_, _, level, measure), (value, suppressed) in warning(trust).items():
            real = (
                sum(n for (lv, _), n in counts.items() if lv == level)
                if measure == "total"
                else counts[(level, measure)]
            )
            if 0 < real < 5:
                assert (value, suppressed) == (None, True), (trust.code, level, measure)
            if suppressed:
                assert value is None
            else:
                assert value == real
    # No manager is ever counted or named.
    assert not BenchmarkFigure.objects.filter(section="early_warning", group="manager").exists()


def test_a_trust_that_does_not_share_is_absent(speaking_up: Region):
    with on_refresh_day():
        regional_refresh(year=YEAR)
    assert not TrustBenchmark.objects.filter(trust=speaking_up.rno).exists()
    # RNO's twenty concerns are in no stored figure.
    assert not BenchmarkFigure.objects.filter(section="ftsu", value=20.0).exists()


@pytest.fixture
def refreshed_today(speaking_up: Region) -> Region:
    with on_refresh_day():
        regional_refresh(year=YEAR)
    return speaking_up


def test_the_page_and_the_downloads_show_them(client, regional_viewer, refreshed_today):
    client.force_login(regional_viewer)
    html = client.get(f"/regional/?year={YEAR}").content.decode()
    assert 'data-testid="regional-ftsu"' in html
    assert 'data-testid="regional-early-warning"' in html
    assert "Q1 2025/26 (Apr-Jun 2025)" in html
    assert "15 Jul 2025" in html
    assert "RNO" not in html
    assert "A-CONCERN-IN-THE-REPORTERS-WORDS" not in html
    rows = list(csv.reader(io.StringIO(client.get(f"/regional/pack.csv?year={YEAR}").text)))
    ftsu_rows = [[r[i] for i in (0, 4, 5, 6, 7)] for r in rows if r[3] == "ftsu"]
    assert ["RAL", "2025-Q1", "", "total", "9"] in ftsu_rows
    assert ["RAL", "2025-Q1", "bme", "total", "[c]"] in ftsu_rows
    assert ["RBX", "2025-Q1", "unknown", "total", "12"] in ftsu_rows
    assert any(
        r[3] == "early_warning" and r[4] == "24 months to 2025-07-15" and r[5] == "icsu"
        for r in rows
    )
    assert not any(r[0] == "RNO" for r in rows)


def test_a_row_stored_before_the_additions_shows_not_computed(
    client, regional_viewer, refreshed_today
):
    TrustBenchmark.objects.update(early_warning_as_at=None, ftsu_year=None, ftsu_quarter=None)
    BenchmarkFigure.objects.filter(section__in=["ftsu", "early_warning"]).delete()
    client.force_login(regional_viewer)
    response = client.get(f"/regional/?year={YEAR}")
    assert response.status_code == 200
    assert "Not computed yet" in response.content.decode()
    rows = list(csv.reader(io.StringIO(client.get(f"/regional/pack.csv?year={YEAR}").text)))
    assert not [r for r in rows if r[3] in ("ftsu", "early_warning")]
