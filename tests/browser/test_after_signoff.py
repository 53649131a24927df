"""Journey: what HR does after the sign-off, in the browser (issue 20).

On a case whose formal investigation was just approved, HR records a
restriction of duties and reviews it on time, names an independent
investigator, records that there is a case to answer, arranges the hearing
with the right to be accompanied, records the sanction, and records an
appeal: the panel's chair is refused as its hearer with the rule named
("Not previously involved"), someone independent hears it, and the formal
process concludes. Every page is checked with axe on arrival.

The employee's own account by their single-use link is walked in the
browser in ``test_journeys.py``; the whole case through the API in
``tests/api/test_after_the_referral.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..formal.conftest import staff_member
from ..workflow.steps import Story
from .people import Browsing, Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _act(hr: Person, case: Any, action: str) -> None:
    hr.open(f"/cases/{case.pk}/", case.reference, name=f"case page before {action}")
    hr.follow(action, action)


def test_hr_takes_a_formal_case_from_suspension_to_appeal(
    browsing: Browsing, cast: Any, employee: Any
) -> None:
    case = Story(cast, employee).formal()
    investigator = staff_member("ivy.investigator")
    chair = staff_member("chad.chair")
    hearer = staff_member("hetty.hearer")
    today = timezone.localdate()
    hr = browsing.person(cast.hr).log_in()

    # --- a restriction of duties, reviewed on time ---------------------------
    _act(hr, case, "Record a suspension or restriction")
    hr.page.get_by_label("Restriction of duties").check()
    hr.page.get_by_label("Decided by").select_option(value=str(cast.director.pk))
    hr.page.get_by_label("Why it is needed").fill("No lone working while it is looked into.")
    hr.submit("Record a suspension or restriction", case.reference)
    expect(hr.main).to_contain_text("Restriction of duties")
    _act(hr, case, "Review the suspension")
    hr.page.get_by_label("Continue it until the next review").check()
    hr.page.get_by_label("Reason").fill("Still needed while the investigation runs.")
    hr.submit("Review the suspension", case.reference)
    hr.shot("10-formal", "01-restriction-reviewed")

    # --- investigation, hearing, sanction -------------------------------------
    _act(hr, case, "Name the investigator")
    hr.page.get_by_label("Investigator").select_option(value=str(investigator.pk))
    hr.submit("Name the investigator", case.reference)
    _act(hr, case, "Record the investigation's outcome")
    hr.page.get_by_label("Disciplinary hearing").check()
    hr.page.get_by_label("Reason").fill("A case to answer about the handover.")
    hr.submit("Record the investigation's outcome", case.reference)
    _act(hr, case, "Arrange the hearing")
    # Later today: not before the outcome just recorded, and held by now below.
    hearing = timezone.localtime() + dt.timedelta(minutes=2)
    hr.page.get_by_label("Hearing date and time").fill(hearing.strftime("%Y-%m-%dT%H:%M"))
    hr.page.get_by_label("Who chairs the hearing").select_option(value=str(chair.pk))
    hr.page.get_by_label(
        "The employee has been told in writing of their right to be accompanied"
    ).check()
    hr.page.get_by_label("Companion's name").fill("Rita Rep")
    hr.submit("Arrange the hearing", case.reference)
    _act(hr, case, "Record the hearing's outcome")
    hr.page.get_by_label("Day the hearing was held").fill(hearing.date().isoformat())
    hr.page.get_by_label("First written warning").check()
    hr.page.get_by_label("Detail").fill("A first written warning for six months.")
    hr.submit("Record the hearing's outcome", case.reference)
    hr.shot("10-formal", "02-sanction")

    # --- the appeal: someone involved earlier is refused, with the rule -------
    _act(hr, case, "Record an appeal")
    hr.page.get_by_label("Day the appeal was lodged").fill(today.isoformat())
    hr.page.get_by_label("Grounds of appeal").fill("Too severe for a first concern.")
    hr.page.get_by_label("Who hears the appeal").select_option(value=str(cast.panel_a.pk))
    hr.submit("Record an appeal", "Record an appeal")
    expect(hr.main).to_contain_text("Not previously involved")
    hr.shot("10-formal", "03-appeal-refused")
    expect(hr.page.get_by_label("Grounds of appeal")).to_have_value(
        "Too severe for a first concern."
    )
    hr.page.get_by_label("Who hears the appeal").select_option(value=str(hearer.pk))
    hr.submit("Record an appeal", case.reference)
    _act(hr, case, "Record the appeal's outcome")
    hr.page.get_by_label("Not upheld").check()
    hr.submit("Record the appeal's outcome", case.reference)

    card = hr.main.get_by_test_id("formal-appeal")
    expect(card).to_contain_text("Not upheld")
    hr.shot("10-formal", "04-concluded")
    case.refresh_from_db()
    assert case.formal_concluded_at is not None
    assert not case.suspensions.filter(lifted_on__isnull=True).exists()
