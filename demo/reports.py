"""Demo figures for the governance pack: headcounts and historical entries for
the demo trust (``demo.trust``), five WRES years ending with the last
complete one, telling the story of docs/domain/fair-treatment-panels.md: a ratio near 3.7 that falls
below 1 once every referral goes through the panel.

Loaded through the real importers, once (nothing is loaded if any headcount
is already stored), and only where demo data is allowed (FTP_ENV=local).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from reports.grouping import wres_year_of
from reports.importers import headcount_import, history_import
from reports.models import Headcount

# Headcount per demo department at 31 March, by ethnic category; the trust
# grows a little each year.
DEPARTMENTS = (
    "NB-MED-ED",
    "NB-MED-AMU",
    "NB-MED-COP",
    "NB-SUR-THE",
    "NB-SUR-GEN",
    "NB-SUR-ORT",
    "NB-WAC-MAT",
    "NB-WAC-PAE",
)
MIX = {"A": 180, "B": 12, "C": 58, "H": 40, "M": 25, "N": 60, "R": 10, "S": 15, "Z": 12}
# Entries per WRES year, oldest first: (white, BME, unknown) per ICSU.
ENTRIES = {
    "NB-MED": [(5, 11, 1), (5, 7, 0), (6, 5, 1), (7, 2, 0), (6, 3, 0)],
    "NB-SUR": [(3, 8, 0), (4, 5, 1), (5, 3, 0), (5, 2, 1), (5, 2, 0)],
    "NB-WAC": [(2, 4, 0), (3, 2, 0), (3, 1, 0), (3, 1, 0), (3, 1, 1)],
}


def demo_reports_load(*, today: dt.date | None = None) -> bool:
    """Load the demo headcounts and history; False if already there or not allowed."""
    if not settings.FTP_DEMO_DATA_ALLOWED or Headcount.objects.exists():
        return False
    last = wres_year_of(today or timezone.localdate()) - 1
    years = range(last - 4, last + 1)
    heads = [
        f"{year + 1}-03-31,{unit},{code},{n + 3 * (year - last + 4)}"
        for year in years
        for unit in DEPARTMENTS
        for code, n in MIX.items()
    ]
    history = [
        f"{year}-10-01,{icsu},{code},{n}"
        for icsu, per_year in ENTRIES.items()
        for year, counts in zip(years, per_year, strict=True)
        for code, n in zip("ANZ", counts, strict=True)
    ]
    headcount_import(text="\n".join(["as_at,org_unit,ethnic_category,headcount", *heads]))
    history_import(text="\n".join(["date,org_unit,ethnic_category,entered", *history]))
    return True
