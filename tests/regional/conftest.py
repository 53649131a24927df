"""Three trusts with different figures for WRES year 2024/25: RAL and RBX
share with the region, RNO does not. Each trust's org tree, headcounts,
historical entries and cases are made inside that trust, as the product
makes them (tenancy/, ADR 0020)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from accounts.services import role_give
from reports.importers import headcount_import, history_import
from tenancy.context import trust_entered
from tenancy.models import Trust
from workflow.services import case_triage

from ..factories import EmployeeFactory, make_user, other_units
from ..reports.conftest import HEAD, HIST, csv_text
from ..workflow.steps import Story

YEAR = 2024
LONDON = ZoneInfo("Europe/London")


def in_the_year(day: int) -> Any:
    """A moment in June 2024: cases submitted then are in 2024/25's funnel."""
    return time_machine.travel(dt.datetime(YEAR, 6, day, 10, tzinfo=LONDON), tick=False)


@dataclass
class Region:
    ral: Trust  # shares
    rbx: Trust  # shares
    rno: Trust  # does not share

    @property
    def sharing(self) -> list[Trust]:
        return [self.ral, self.rbx]


def _ral(cast: Any) -> None:
    """Large white and BME counts, 3 unknown entries (suppressed), and seven
    cases: six BME resolved informally, one white redirected at triage."""
    units = other_units()
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,2000",
            "2025-03-31,DEP-ED,N,600",
            "2025-03-31,DEP-THE,A,505",
            "2025-03-31,DEP-THE,H,125",
            "2025-03-31,TRUST,Z,66",
        )
    )
    history_import(
        text=csv_text(
            HIST,
            "2023-06-01,DEP-ED,A,12",
            "2023-06-01,DEP-ED,N,8",
            "2024-05-01,DEP-ED,A,17",
            "2024-05-01,DEP-ED,N,9",
            "2024-05-01,TRUST,Z,3",
        )
    )
    bme = EmployeeFactory(org_unit=units["same_icsu"], ethnic_category="N")
    white = EmployeeFactory(org_unit=units["other_icsu"], ethnic_category="A")
    with in_the_year(10):
        for _ in range(6):
            Story(cast, bme).closed()
        case = Story(cast, white).submitted()
        case_triage(
            case_id=case.pk, actor=cast.hr, route="redirect", policy="capability", reason="Cap."
        )


def _rbx(cast: Any) -> None:
    """Equal white and BME headcounts, twice the BME entries, and five BME
    cases redirected at triage. The cast's manager and HR adviser hold
    their roles in this trust too."""
    role_give(user=cast.manager, role=Role.MANAGER)
    role_give(user=cast.hr, role=Role.HR)
    units = other_units()
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,A,1000", "2025-03-31,DEP-THE,N,1000"))
    history_import(
        text=csv_text(
            HIST,
            "2023-07-01,DEP-ED,A,8",
            "2023-07-01,DEP-THE,N,15",
            "2024-07-01,DEP-ED,A,10",
            "2024-07-01,DEP-THE,N,20",
        )
    )
    bme = EmployeeFactory(org_unit=units["other_icsu"], ethnic_category="N")
    with in_the_year(11):
        for _ in range(5):
            case = Story(cast, bme).submitted()
            case_triage(
                case_id=case.pk, actor=cast.hr, route="redirect", policy="grievance", reason="G."
            )


def _rno() -> None:
    other_units()
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,A,300", "2025-03-31,DEP-ED,N,300"))
    history_import(text=csv_text(HIST, "2024-08-01,DEP-ED,A,6", "2024-08-01,DEP-ED,N,7"))


@pytest.fixture
def region(trust: Trust, other_trust: Trust, cast: Any) -> Region:
    trust.shares_with_region = True
    trust.save()
    other_trust.shares_with_region = True
    other_trust.save()
    rno = Trust.objects.create(code="RNO", name="Non-sharing Test Trust")
    _ral(cast)  # the test's own trust is entered already
    with trust_entered(other_trust):
        _rbx(cast)
    with trust_entered(rno):
        _rno()
    return Region(trust, other_trust, rno)


@pytest.fixture
def regional_viewer(db: None) -> Any:
    from regional.services import regional_viewer_grant

    user = make_user("rhea.regional")
    regional_viewer_grant(user=user)
    return user
