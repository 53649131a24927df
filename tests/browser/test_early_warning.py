"""The early warning in a real browser: HR opens it from the menu, computes
the day's figures and sees the managers' funnel; a governance viewer sees units only, and the pack's
early-warning section. Each page is checked with axe-core (``Person.arrive``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.importers import headcount_import
from staff.models import OrgUnit
from tests.factories import EmployeeFactory

from ..reports.conftest import HEAD, csv_text, refer
from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_hr_and_governance_read_the_early_warning_and_its_funnel(
    browsing: Browsing, cast: Any
) -> None:
    today = timezone.localdate()
    ed, amu = OrgUnit.objects.get(code="DEP-ED"), OrgUnit.objects.get(code="DEP-AMU")
    headcount_import(
        text=csv_text(
            HEAD,
            f"{today - dt.timedelta(days=30)},DEP-ED,A,50",
            f"{today - dt.timedelta(days=30)},DEP-ED,N,50",
            f"{today - dt.timedelta(days=30)},DEP-AMU,A,100",
        )
    )
    manager = EmployeeFactory(staff_number="ZM-ONE", name="Zara Oneill", org_unit=amu)
    day = (today - dt.timedelta(days=60)).isoformat()
    refer(manager, amu, "N", 6, day=day)
    refer(manager, ed, "A", 6, day=day)

    hr = browsing.person(cast.hr).log_in()
    hr.menu("Early warning", "Early warning")
    # Before the first night's run, HR computes yesterday's figures.
    expect(hr.main.get_by_test_id("not-computed")).to_be_visible()
    hr.submit("Compute it now", "Early warning")
    expect(hr.main.get_by_test_id("computed-at")).to_contain_text("when asked for")
    expect(hr.main.get_by_test_id("early-warning-table")).to_contain_text("Zara Oneill")
    expect(hr.main.get_by_role("img", name="Funnel plot, referring managers")).to_have_count(1)

    governance = browsing.person(cast.governance).log_in()
    governance.menu("Early warning", "Early warning")
    expect(governance.main.get_by_test_id("early-warning-table")).not_to_contain_text("ZM-ONE")
    expect(governance.main.get_by_test_id("suppression-note")).to_contain_text("Units only")
    governance.menu("Governance pack", "Governance pack")
    expect(governance.main.get_by_test_id("pack-early-warning")).to_be_visible()
