"""The referral form in a real browser: a manager finds the employee by name
with the picker (by keyboard: type, arrow down, Enter), and is warned, and
asked why, when the employee already has an open referral; HR then sees the
two linked at triage. Each page is checked with axe-core (the picker with its
list open too) and photographed for the docs (``DOC_SHOTS``, copied to
docs/screenshots/)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from workflow.models import Case
from workflow.services import referral_submit

from ..factories import EmployeeFactory, referral_kwargs
from .conftest import DOC_SHOTS
from .people import Browsing, Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = DOC_SHOTS
REFERENCE = re.compile(r"FTP-\d{4}-\d{5}")
SUMMARY = "Raised voice at a colleague during a busy handover, in front of a patient's family."
REASON = "A new concern: on a different ward, a week after the first referral."


def _photo(person: Person, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _fill_the_concern(person: Person) -> None:
    page = person.page
    page.get_by_label("When did it happen?").fill(
        (dt.date.today() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    )
    page.get_by_label("What happened?").fill(SUMMARY)


def test_a_manager_finds_the_employee_by_name(browsing: Browsing, cast: Any) -> None:
    grace = EmployeeFactory.create(name="Grace Okafor", staff_number="ESR40001")
    EmployeeFactory.create(name="Gregory Okafor", staff_number="ESR40002")
    EmployeeFactory.create(name="Maya Okafor", staff_number="ESR40003", user=cast.manager)

    maya = browsing.person(cast.manager).log_in()
    maya.open("/cases/new/", "Propose a referral", name="referral form")
    finder = maya.page.get_by_role("combobox", name="Find the employee")
    expect(finder).to_be_visible()  # the script showed it
    finder.focus()
    maya.page.keyboard.type("okaf")
    options = maya.main.get_by_role("listbox", name="Matching employees").get_by_role("option")
    # Both Okafors she may refer, by name; never herself.
    expect(options).to_have_count(2)
    expect(options.first).to_contain_text("Grace Okafor")
    expect(options.first).to_contain_text("Emergency Department · Staff Nurse · ESR40001")
    expect(maya.main.get_by_role("status")).to_contain_text("2 matches")
    maya.page.keyboard.press("ArrowDown")
    expect(finder).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_have_attribute("aria-selected", "true")
    maya.check("referral form, picker open")
    _photo(maya, "employee-picker.png")

    maya.page.keyboard.press("Enter")
    expect(maya.page.get_by_label("Employee's staff number")).to_have_value("ESR40001")
    expect(maya.main.get_by_test_id("picker-chosen")).to_have_text(
        "Chosen: Grace Okafor, Emergency Department, staff number ESR40001."
    )
    expect(finder).to_have_attribute("aria-expanded", "false")
    _fill_the_concern(maya)
    maya.submit("Submit referral", REFERENCE)
    assert Case.objects.get().employee == grace


def test_a_manager_is_warned_of_an_open_referral_and_hr_sees_both(
    browsing: Browsing, cast: Any
) -> None:
    grace = EmployeeFactory.create(name="Grace Okafor", staff_number="ESR40001")
    hers = referral_submit(actor=cast.manager, **referral_kwargs(grace))
    theirs = referral_submit(
        actor=cast.other_manager, duplicate_reason="Another ward.", **referral_kwargs(grace)
    )

    maya = browsing.person(cast.manager).log_in()
    maya.open("/cases/new/", "Propose a referral", name="referral form")
    maya.page.get_by_label("Employee's staff number").fill("ESR40001")
    _fill_the_concern(maya)
    maya.submit("Submit referral", "Propose a referral")

    warning = maya.main.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("This employee already has an open referral")
    # Her own open referral is named and linked; the other manager's is not.
    expect(warning.get_by_role("link", name=hers.reference)).to_be_visible()
    expect(warning).to_contain_text("They also have another open referral.")
    expect(warning).not_to_contain_text(theirs.reference)
    reason = maya.page.get_by_label("Why are you referring them again?")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(maya.main.get_by_test_id("error-summary")).to_contain_text("Say why you are referring")
    assert Case.objects.count() == 2
    _photo(maya, "duplicate-warning.png")

    reason.fill(REASON)
    maya.submit("Submit referral anyway", REFERENCE)
    third = Case.objects.latest("id")
    assert third.duplicate_reason == REASON

    hana = browsing.person(cast.hr).log_in()
    hana.open(f"/cases/{third.pk}/triage/", "Triage", name="triage with linked cases")
    linked = hana.main.get_by_test_id("linked-cases")
    expect(linked.get_by_role("link", name=hers.reference)).to_be_visible()
    expect(linked.get_by_role("link", name=theirs.reference)).to_be_visible()
    expect(linked.get_by_test_id("duplicate-reason")).to_have_text(REASON)
