"""Fixtures for the reports tests: an org tree with two ICSUs and a unit in
none, CSV text helpers, and a story teller for real cases."""

from __future__ import annotations

from typing import Any

import pytest

from reports.importers import headcount_import, history_import
from staff.models import OrgUnit

from ..factories import other_units
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
