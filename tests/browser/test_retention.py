"""HR destroys a case file that is due, in a real browser: from the menu to
the list of files due, past a clear error for a mistyped reference, to the
tombstone the case's page then shows. Each page is checked with axe-core
(``Person.check``)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from workflow.models import Case

from ..records.world import LATER, at
from ..workflow.conftest import story
from ..workflow.steps import Story
from .people import Browsing

__all__ = ["story"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REASON = "Six years since closure under the retention schedule."


def test_hr_destroys_a_case_file_that_is_due(
    browsing: Browsing, cast: Any, story: Story, employee: Any, tmp_path: Any, settings: Any
) -> None:
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    with at(2024, 5, 2):
        case = story.closed()
    with time_machine.travel(LATER, tick=True):
        hr = browsing.person(cast.hr).log_in()
        hr.menu("Retention", "Case files due for destruction")
        hr.shot("8-retention", "due")
        hr.follow(case.reference, f"Destroy case file {case.reference}")

        hr.page.get_by_label("Case reference").fill("FTP-0000-00000")
        hr.page.get_by_label("Reason").fill(REASON)
        hr.submit("Destroy the file", f"Destroy case file {case.reference}")
        expect(hr.main.get_by_role("alert")).to_be_visible()
        assert Case.objects.get(pk=case.pk).destroyed_at is None

        hr.page.get_by_label("Case reference").fill(case.reference)
        hr.page.get_by_label("Reason").fill(REASON)
        hr.submit("Destroy the file", f"Case {case.reference}")
        expect(hr.page.get_by_test_id("tombstone")).to_contain_text("Destroyed on")
        hr.shot("8-retention", "tombstone")
        assert employee.name not in hr.text()
    assert Case.objects.get(pk=case.pk).destroyed_at is not None
