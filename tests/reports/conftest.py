"""Fixtures for the reports tests: an org tree with two ICSUs and a unit in
none, CSV text helpers, a story teller for real cases, and the early
warning's imported referrals and worked trust."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from reports.importers import headcount_import, history_import
from reports.models import ReferralHistory
from staff.models import OrgUnit

from ..factories import EmployeeFactory, other_units
from ..workflow.steps import Story


@pytest.fixture
def units(db: None) -> dict[str, OrgUnit]:
    """TRUST -> ICSU-MED (DEP-ED, DEP-AMU), ICSU-SUR (DEP-THE). Figures held
    against the trust itself are in no ICSU: they count trust-wide only."""
    found = other_units()
    return {
        "trust": OrgUnit.objects.get(code="TRUST"),
        "med": OrgUnit.objects.get(code="ICSU-MED"),
        "sur": OrgUnit.objects.get(code="ICSU-SUR"),
        "ed": OrgUnit.objects.get(code="DEP-ED"),
        "amu": found["same_icsu"],
        "the": found["other_icsu"],
    }


@pytest.fixture
def story(cast: Any, employee: Any) -> Story:
    return Story(cast, employee)


HEAD = "as_at,org_unit,ethnic_category,headcount"
HIST = "date,org_unit,ethnic_category,entered"


@pytest.fixture
def worked_example(units):
    """The worked example's trust (docs/domain/wres-indicator-3.md): 2,505
    white, 725 BME and 66 unknown staff (3,296); 17 white and 9 BME entered
    formal investigation in 2024/25. Split across the ICSUs, with a little
    held against the trust itself."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,1000",
            "2025-03-31,DEP-AMU,B,505",
            "2025-03-31,DEP-ED,N,300",
            "2025-03-31,ICSU-SUR,H,400",
            "2025-03-31,DEP-THE,A,900",
            "2025-03-31,TRUST,C,100",
            "2025-03-31,TRUST,M,25",
            "2025-03-31,DEP-ED,Z,60",
            "2025-03-31,DEP-THE,,6",
            # A headcount earlier in the year is not the 31 March position.
            "2024-09-30,DEP-ED,A,5",
        )
    )
    history_import(
        text=csv_text(
            HIST,
            "2024-05-01,DEP-ED,A,10",
            "2024-05-01,DEP-ED,N,6",
            "2025-01-15,DEP-THE,B,5",
            "2025-01-15,DEP-THE,H,2",
            "2025-03-31,TRUST,C,2",
            "2025-03-31,TRUST,M,1",
            "2025-02-01,DEP-ED,Z,4",
            # Outside 2024/25: 31 March 2024 and 1 April 2025.
            "2024-03-31,DEP-ED,A,50",
            "2025-04-01,DEP-ED,N,50",
        )
    )


def csv_text(header: str, *lines: str) -> str:
    return "\n".join([header, *lines]) + "\n"


def refer(manager, unit, category: str, times: int, day: str = "2024-06-01") -> None:
    """``times`` imported referrals by ``manager`` of new employees of
    ``unit`` and ``category``, a day apart from ``day``."""
    for i in range(times):
        employee = EmployeeFactory.create(org_unit=unit, ethnic_category=category)
        ReferralHistory.objects.create(
            referred_on=dt.date.fromisoformat(day) + dt.timedelta(days=i),
            manager=manager,
            employee=employee,
            entered_formal=False,
            org_unit=unit,
            ethnic_category=category,
            imported_at=timezone.now(),
        )


def three_managers(ed: OrgUnit, amu: OrgUnit, the: OrgUnit, people: list[tuple[str, str]]) -> None:
    """The early warning's worked trust, as at 31 March 2025. Headcount:
    Emergency Department half BME (50 A, 50 N), Acute Medical Unit all white
    (100 A), Theatres a fifth BME (80 A, 20 N): trust-wide 70 BME of 300.
    Referrals by the three ``people`` (staff number, name), one in each unit:
    the first 10 BME and 2 white in ED; the second 3 white in AMU; the third
    6 white in Theatres."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,50",
            "2025-03-31,DEP-ED,N,50",
            "2025-03-31,DEP-AMU,A,100",
            "2025-03-31,DEP-THE,A,80",
            "2025-03-31,DEP-THE,N,20",
        )
    )
    (n1, name1), (n2, name2), (n3, name3) = people
    first = EmployeeFactory(staff_number=n1, name=name1, org_unit=ed)
    second = EmployeeFactory(staff_number=n2, name=name2, org_unit=amu)
    third = EmployeeFactory(staff_number=n3, name=name3, org_unit=the)
    refer(first, ed, "N", 10)
    refer(first, ed, "A", 2)
    refer(second, amu, "A", 3)
    refer(third, the, "A", 6)


@pytest.fixture
def trust_figures(units):
    """The worked trust (``three_managers``): M1 in ED, M2 in AMU, M3 in Theatres."""
    three_managers(
        units["ed"],
        units["amu"],
        units["the"],
        [("M1", "Mona First"), ("M2", "Milo Second"), ("M3", "Mae Third")],
    )
    return units
