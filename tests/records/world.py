"""A populated trust for the retention tests: cases walked through the
services across units, ethnic groups and WRES years, a person with two
formal investigations, and the reports the product computes from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from reports.exports import pack_csv
from reports.importers import headcount_import
from reports.pack import governance_pack
from reports.wres import wres_report
from staff.models import OrgUnit
from workflow.models import Case

from ..factories import EmployeeFactory
from ..formal.steps import formal_concluded
from ..reports.conftest import HEAD, csv_text
from ..workflow.steps import Story

LONDON = ZoneInfo("Europe/London")
# Long after every case below fell due under the default schedule (six years).
LATER = dt.datetime(2032, 6, 1, 10, 0, tzinfo=LONDON)


def at(year: int, month: int, day: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime(year, month, day, 10, 0, tzinfo=LONDON))


@dataclass
class World:
    cast: Any
    twice: list[Case]  # one person's two formal investigations in one WRES year
    formal: list[Case]  # other formal investigations
    closed: list[Case]  # closed without one
    open: list[Case]

    @property
    def every(self) -> list[Case]:
        return [*self.twice, *self.formal, *self.closed, *self.open]


def person(unit: str, category: str) -> Any:
    return EmployeeFactory.create(org_unit=OrgUnit.objects.get(code=unit), ethnic_category=category)


def build_world(cast: Any) -> World:
    """Formal investigations in the Emergency Department (ICSU-MED) and held
    against Surgery (ICSU-SUR), in 2023/24 and 2024/25; informal closures in
    the Acute Medical Unit and Theatres; one case still open."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2024-03-31,DEP-ED,A,80",
            "2024-03-31,DEP-ED,N,40",
            "2025-03-31,DEP-ED,A,90",
            "2025-03-31,DEP-ED,N,45",
            "2025-03-31,ICSU-SUR,B,60",
            "2025-03-31,ICSU-SUR,H,30",
            "2025-03-31,DEP-AMU,Z,10",
        )
    )
    twice_person = Story(cast, person("DEP-ED", "N"))
    with at(2024, 6, 3):
        first = formal_concluded(twice_person)
    with at(2024, 11, 4):
        second = formal_concluded(twice_person)
    formal = []
    for unit, category, when in (
        ("DEP-ED", "A", (2023, 9, 12)),
        ("DEP-ED", "M", (2024, 2, 20)),
        ("ICSU-SUR", "B", (2024, 7, 8)),
        ("ICSU-SUR", "H", (2024, 8, 19)),
        ("DEP-ED", "Z", (2024, 10, 1)),
    ):
        with at(*when):
            formal.append(formal_concluded(Story(cast, person(unit, category))))
    closed = []
    for unit, category, when in (
        ("DEP-AMU", "A", (2023, 5, 2)),
        ("DEP-THE", "N", (2024, 5, 14)),
        ("DEP-AMU", "", (2024, 9, 9)),
    ):
        with at(*when):
            closed.append(Story(cast, person(unit, category)).closed())
    with at(2024, 12, 2):
        still_open = [Story(cast, person("DEP-THE", "C")).panel()]
    return World(cast, [first, second], formal, closed, still_open)


def every_report() -> dict[str, Any]:
    """Every figure the reports compute from cases, in comparable form: WRES
    indicator 3 (each unit, year and window), the governance pack (trend,
    ICSUs, the funnel with its time at each stage) suppressed and not, and
    its CSV download."""
    packs = {
        (year, suppressed): governance_pack(year=year, suppressed=suppressed)
        for year in (2023, 2024)
        for suppressed in (False, True)
    }
    return {
        "wres": [row.as_json() for row in wres_report(years=[2023, 2024, 2025], windows=[1, 2])],
        "packs": {
            key: (pack.trend, pack.by_icsu, pack.funnel, pack.hidden_count)
            for key, pack in packs.items()
        },
        "csv": {key: pack_csv(pack) for key, pack in packs.items()},
    }
