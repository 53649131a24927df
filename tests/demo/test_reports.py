"""The demo's governance-pack figures: loaded once, only where demo data is allowed."""

from __future__ import annotations

import datetime as dt

from demo.reports import demo_reports_load
from demo.trust import _load_org_units
from reports.models import Headcount
from reports.wres import wres_report

TODAY = dt.date(2026, 11, 26)  # in WRES year 2026/27: the last complete one is 2025/26


def test_the_demo_tells_the_story_of_a_ratio_that_falls_below_one(db, settings):
    settings.FTP_DEMO_DATA_ALLOWED = True
    _load_org_units()
    assert demo_reports_load(today=TODAY) is True
    trust = {
        r.year: r
        for r in wres_report(years=range(2021, 2026), windows=[1])
        if r.org_unit == "TRUST"
    }
    first, last = (
        trust[2021].indicator.relative_likelihood,
        trust[2025].indicator.relative_likelihood,
    )
    assert first is not None
    assert first > 3
    assert last is not None
    assert last < 1
    assert demo_reports_load(today=TODAY) is False  # once only


def test_the_demo_figures_are_refused_outside_local(db, settings):
    settings.FTP_DEMO_DATA_ALLOWED = False
    assert demo_reports_load(today=TODAY) is False
    assert not Headcount.objects.exists()
