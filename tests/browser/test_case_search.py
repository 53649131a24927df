"""Finding a case in a real browser: an HR adviser types part of an
employee's name into the case list's search box, sorts the matches by a
column heading, and the search and sort survive both; a manager who searches
for someone else's case finds nothing. Each page is checked with axe-core;
the search is photographed for the docs (``DOC_SHOTS``, the source of
docs/screenshots/case-search.png)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from workflow.services import referral_submit

from ..factories import EmployeeFactory, referral_kwargs
from .conftest import DOC_SHOTS
from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOT = DOC_SHOTS / "case-search.png"


def test_hr_finds_a_case_by_name_and_sorts_the_matches(browsing: Browsing, cast: Any) -> None:
    names = ["Amara Osei", "Kwame Osei", "Zara Osei", "Tom Hughes"]
    cases = {}
    for i, name in enumerate(names):
        employee = EmployeeFactory.create(name=name, staff_number=f"S{i:06d}")
        cases[name] = referral_submit(actor=cast.manager, **referral_kwargs(employee))

    hr = browsing.person(cast.hr).log_in()
    hr.open("/cases/all/", "Cases", name="case list")
    # By keyboard: to the search box, type, Enter.
    hr.tab_to("Search")
    hr.page.keyboard.type("osei")
    hr.page.keyboard.press("Enter")
    hr.page.wait_for_url("**q=osei**")
    hr.arrive("Cases", name="case list searched")
    table = hr.main.locator("tbody")
    for name in ("Amara Osei", "Kwame Osei", "Zara Osei"):
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text("Tom Hughes")
    expect(hr.main.get_by_role("searchbox", name="Search")).to_have_value("osei")

    # The Employee heading sorts A to Z, then Z to A, keeping the search.
    hr.main.get_by_role("link", name="Employee", exact=True).click()
    hr.page.wait_for_url("**sort=employee**")
    hr.arrive("Cases", name="case list sorted by employee")
    rows = hr.main.locator("tbody tr td:nth-child(2)")
    expect(rows).to_have_text(["Amara Osei", "Kwame Osei", "Zara Osei"])
    hr.main.get_by_role("link", name="Employee ▲").click()
    hr.page.wait_for_url("**sort=-employee**")
    hr.arrive("Cases", name="case list sorted by employee, Z to A")
    expect(rows).to_have_text(["Zara Osei", "Kwame Osei", "Amara Osei"])
    assert "q=osei" in hr.page.url
    # HR is offered the list as a download, with the same search and sort.
    download = hr.main.get_by_role("link", name="CSV")
    expect(download).to_have_attribute("href", "/cases/all/export.csv?q=osei&sort=-employee")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    hr.page.screenshot(path=str(SCREENSHOT), full_page=True)

    # A manager searching for a case they did not refer finds nothing of it.
    other = browsing.person(cast.other_manager).log_in()
    other.open(f"/cases/all/?q={cases['Zara Osei'].reference}", "My cases", name="other search")
    expect(other.main).to_contain_text("No cases you may see match")
    expect(other.main).not_to_contain_text("Zara Osei")
