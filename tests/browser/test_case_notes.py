"""HR keeps notes on a case in a real browser: from the case page to its
notes, past a clear error that keeps what was typed, to a correction that
leaves the old note struck through; the referring manager then reads only
the note shared with everyone. Each page is checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from casefile.models import CaseNote

from ..workflow.conftest import story
from ..workflow.steps import Story
from .people import Browsing

__all__ = ["story"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PRIVATE = "Occupational health advised a phased return."


def test_hr_adds_and_corrects_a_note_the_manager_reads_only_the_shared_one(
    browsing: Browsing, cast: Any, story: Story
) -> None:
    case = story.informal()
    hr = browsing.person(cast.hr).log_in()
    hr.open(f"/cases/{case.pk}/", case.reference)
    hr.follow("All notes, and add a note", f"Case notes: {case.reference}")

    hr.page.get_by_label("The day it is about").fill("31/12/2099")
    hr.page.get_by_label("Note", exact=True).fill(PRIVATE)
    hr.submit("Add the note", f"Case notes: {case.reference}")
    expect(hr.main.get_by_role("alert")).to_contain_text("has not happened yet")
    expect(hr.page.get_by_label("Note", exact=True)).to_have_value(PRIVATE)

    hr.page.get_by_label("The day it is about").fill("")
    hr.submit("Add the note", f"Case notes: {case.reference}")
    hr.page.get_by_label("Note", exact=True).fill("The meeting is on Monday.")
    hr.page.get_by_label("Who may read it").select_option("case")
    hr.submit("Add the note", f"Case notes: {case.reference}")

    shared = CaseNote.objects.get(audience="case")
    correcting = hr.main.locator("details", has_text=f"Correct note {shared.pk}")
    correcting.locator("summary").click()
    correcting.get_by_label("The note as it should read").fill("The meeting is on Tuesday.")
    correcting.get_by_label("Why it is corrected").fill("Wrong day.")
    hr.submit(f"Correct note {shared.pk}", f"Case notes: {case.reference}")
    expect(hr.main.locator("del")).to_have_text("The meeting is on Monday.")
    assert PRIVATE in hr.text()

    manager = browsing.person(cast.manager).log_in()
    manager.open(f"/cases/{case.pk}/notes/", f"Case notes: {case.reference}")
    assert "The meeting is on Tuesday." in manager.text()
    assert PRIVATE not in manager.text()
