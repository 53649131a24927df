"""The demo's governance-pack figures: loaded once per trust, only where demo data is allowed."""

from __future__ import annotations

import datetime as dt

from demo.reports import FIGURES, demo_reports_load
from demo.trust import NORTHBRIDGE, SOUTHMERE, _load_org_units
from reports.models import Headcount
from reports.wres import wres_report
from tenancy.context import trust_entered
from tenancy.models import Trust

TODAY = dt.date(2026, 11, 26)  # in WRES year 2026/27: the last complete one is 2025/26


def test_the_demo_tells_the_story_of_a_ratio_that_falls_below_one(db, settings):
    settings.FTP_DEMO_DATA_ALLOWED = True
    _load_org_units(NORTHBRIDGE)
    assert demo_reports_load("NB", today=TODAY) is True
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
    assert demo_reports_load("NB", today=TODAY) is False  # once only


def test_each_trust_has_its_own_figures(db, settings, other_trust: Trust):
    settings.FTP_DEMO_DATA_ALLOWED = True
    _load_org_units(NORTHBRIDGE)
    assert demo_reports_load("NB", today=TODAY) is True
    nb_rows = Headcount.objects.count()
    with trust_entered(other_trust):
        assert not Headcount.objects.exists()
        _load_org_units(SOUTHMERE)
        assert demo_reports_load("SM", today=TODAY) is True
        units = set(Headcount.objects.values_list("org_unit__code", flat=True))
        assert units == set(FIGURES["SM"].departments)
    assert Headcount.objects.count() == nb_rows


def test_the_demo_figures_are_refused_outside_local(db, settings):
    settings.FTP_DEMO_DATA_ALLOWED = False
    assert demo_reports_load("NB", today=TODAY) is False
    assert not Headcount.objects.exists()
