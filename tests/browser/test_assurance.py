"""The self-assessment and action plans in a real browser: HR answers a
question from the grid with a document, adds an action; a governance viewer
reads the grid, the plans and the governance pack with both. Each page is
checked with axe-core (``Person.check``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from assurance.models import Answer, QuestionSet
from assurance.services import questions_seed

from ..assurance.conftest import add_action
from .people import Browsing

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_hr_answers_and_governance_reads_the_grid_the_plans_and_the_pack(
    browsing: Browsing, cast: Any, tmp_path: Any
) -> None:
    questions_seed(actor=cast.hr, question_set=QuestionSet.WRES3.value)
    questions_seed(actor=cast.hr, question_set=QuestionSet.INCLUSION.value)
    add_action(cast, title="Brief the Medicine leaders", due_on=dt.date(2020, 1, 1))
    evidence = tmp_path / "minutes.txt"
    evidence.write_text("People Committee minutes: every referral reviewed.\n")

    hr = browsing.person(cast.hr).log_in()
    hr.menu("Self-assessment", re.compile("Self-assessment: WRES indicator 3"))
    hr.main.get_by_role("link", name=re.compile(r"^Not answered\s*: Medicine, question 1$")).click()
    hr.arrive(re.compile("Medicine, "), name="answer")
    hr.choose("Rating", "Partly met")
    hr.page.locator("#id_evidence").fill("Panels reviewed 9 of 10 referrals.")
    hr.page.locator("#id_document").set_input_files(str(evidence))
    hr.submit("Save the answer", re.compile("Self-assessment: WRES indicator 3"))
    assert Answer.objects.get().document is not None
    expect(hr.main.get_by_test_id("rag-grid")).to_contain_text("Partly met")
    hr.menu("Action plans", "Action plans")
    hr.follow("Add an action", "Add an action")

    governance = browsing.person(cast.governance).log_in()
    governance.menu("Self-assessment", re.compile("Self-assessment: WRES indicator 3"))
    expect(governance.main.get_by_test_id("rag-grid")).to_contain_text("Partly met")
    governance.menu("Action plans", "Action plans")
    expect(governance.main.get_by_test_id("actions")).to_contain_text("(overdue)")
    governance.menu("Governance pack", "Governance pack")
    expect(governance.main.get_by_test_id("pack-self-assessment")).to_contain_text("Partly met")
    expect(governance.main.get_by_test_id("pack-actions")).to_contain_text(
        "Brief the Medicine leaders"
    )
