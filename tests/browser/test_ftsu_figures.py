"""The FTSU figures in a real browser: a governance viewer reads the pack's
Freedom to Speak Up section (suppressed) with its trend chart, and a regional
viewer reads the regional pack's early-warning and FTSU tables. Each page is
checked with axe-core (``Person.arrive``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from regional.services import regional_refresh, regional_viewer_grant
from speakup.models import Concern
from speakup.report import Quarter
from tenancy.models import Trust
from tests.factories import make_user

from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _concerns(quarter: Quarter) -> None:
    """Eight white concerns and two BME ones (suppressed) in the quarter."""
    for code, n in (("A", 8), ("N", 2)):
        for _ in range(n):
            Concern.objects.create(
                source="raised",
                route="confidential",
                received_on=quarter.start,
                ethnic_category=code,
                racism=code == "N",
                account="WORDS-OF-THE-REPORTER",
                created_at=timezone.now(),
            )


def test_governance_and_the_region_read_the_ftsu_figures(
    browsing: Browsing, cast: Any, trust: Trust
) -> None:
    quarter = Quarter.latest_complete()
    _concerns(quarter)
    governance = browsing.person(cast.governance).log_in()
    governance.open("/reports/governance/", "Governance pack", name="pack with FTSU")
    table = governance.main.get_by_test_id("pack-ftsu-quarter")
    expect(table).to_contain_text("suppressed")
    expect(table.locator('tr[data-unit="TRUST"] td[data-measure="total"]')).to_have_text("10")
    expect(governance.main.get_by_test_id("pack-ftsu-trend")).to_be_visible()
    expect(
        governance.main.get_by_role("img", name="Concerns raised with the Freedom to Speak Up")
    ).to_have_count(1)
    assert "WORDS-OF-THE-REPORTER" not in governance.text()

    trust.shares_with_region = True
    trust.save()
    regional_refresh()
    viewer = make_user("rhea.regional")
    regional_viewer_grant(user=viewer)
    region = browsing.person(viewer).log_in()
    region.open("/regional/", "Regional benchmark", name="regional with FTSU")
    expect(region.main.get_by_test_id("regional-ftsu")).to_contain_text(quarter.label)
    expect(region.main.get_by_test_id("regional-early-warning")).to_be_visible()
