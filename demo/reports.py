"""Demo figures for the governance pack: headcounts and historical entries for
each demo trust (``demo.trust``), five WRES years ending with the last
complete one. Northbridge tells the story of docs/domain/fair-treatment-panels.md:
a ratio near 3.7 that falls below 1 once every referral goes through the
panel; Southmere, smaller, starts lower and comes down more slowly.

Loaded through the real importers, once per trust (nothing is loaded if the
trust has any headcount stored already), inside the trust being acted for,
and only where demo data is allowed (FTP_ENV=local).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from reports.grouping import wres_year_of
from reports.importers import headcount_import, history_import
from reports.models import Headcount


@dataclass(frozen=True)
class DemoFigures:
    # Departments with a headcount at 31 March.
    departments: tuple[str, ...]
    # Headcount per department by ethnic category; the trust grows a little each year.
    mix: dict[str, int]
    # Entries per WRES year, oldest first: (white, BME, unknown) per ICSU.
    entries: dict[str, list[tuple[int, int, int]]]


FIGURES = {
    "NB": DemoFigures(
        departments=(
            "NB-MED-ED",
            "NB-MED-AMU",
            "NB-MED-COP",
            "NB-SUR-THE",
            "NB-SUR-GEN",
            "NB-SUR-ORT",
            "NB-WAC-MAT",
            "NB-WAC-PAE",
        ),
        mix={"A": 180, "B": 12, "C": 58, "H": 40, "M": 25, "N": 60, "R": 10, "S": 15, "Z": 12},
        entries={
            "NB-MED": [(5, 11, 1), (5, 7, 0), (6, 5, 1), (7, 2, 0), (6, 3, 0)],
            "NB-SUR": [(3, 8, 0), (4, 5, 1), (5, 3, 0), (5, 2, 1), (5, 2, 0)],
            "NB-WAC": [(2, 4, 0), (3, 2, 0), (3, 1, 0), (3, 1, 0), (3, 1, 1)],
        },
    ),
    "SM": DemoFigures(
        departments=("SM-COM-DN", "SM-COM-THR", "SM-MH-ADU", "SM-MH-CRI"),
        mix={"A": 150, "B": 10, "C": 30, "H": 25, "J": 10, "M": 20, "N": 35, "S": 10, "Z": 8},
        entries={
            "SM-COM": [(4, 5, 0), (4, 4, 1), (5, 4, 0), (5, 3, 0), (6, 3, 0)],
            "SM-MH": [(5, 7, 1), (5, 6, 0), (6, 5, 0), (6, 4, 1), (6, 3, 0)],
        },
    ),
}


def demo_reports_load(code: str, *, today: dt.date | None = None) -> bool:
    """Load demo trust ``code``'s headcounts and history into the trust being
    acted for; False if it has some already or demo data is not allowed."""
    if not settings.FTP_DEMO_DATA_ALLOWED or Headcount.objects.exists():
        return False
    figures = FIGURES[code]
    last = wres_year_of(today or timezone.localdate()) - 1
    years = range(last - 4, last + 1)
    heads = [
        f"{year + 1}-03-31,{unit},{category},{n + 3 * (year - last + 4)}"
        for year in years
        for unit in figures.departments
        for category, n in figures.mix.items()
    ]
    history = [
        f"{year}-10-01,{icsu},{category},{n}"
        for icsu, per_year in figures.entries.items()
        for year, counts in zip(years, per_year, strict=True)
        for category, n in zip("ANZ", counts, strict=True)
    ]
    headcount_import(text="\n".join(["as_at,org_unit,ethnic_category,headcount", *heads]))
    history_import(text="\n".join(["date,org_unit,ethnic_category,entered", *history]))
    return True
