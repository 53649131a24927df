"""HR produces a subject access pack in a real browser: from the menu, past a
clear error for an unknown staff number, to the download whose SHA-256 is on
record. Each page is checked with axe-core (``Person.check``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from audit.models import AuditEvent
from records.subject_access_collect import SUBJECT_ACCESS_EXPORT

from ..workflow.conftest import story
from ..workflow.steps import Story
from .people import Browsing

__all__ = ["story"]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_hr_produces_a_subject_access_pack(
    browsing: Browsing, cast: Any, story: Story, employee: Any, tmp_path: Path
) -> None:
    story.informal()
    hr = browsing.person(cast.hr).log_in()
    hr.menu("Subject access", "Subject access pack")
    hr.page.get_by_label("Staff number").fill("NO-SUCH")
    hr.page.get_by_label("Request reference").fill("SAR-2026-014")
    hr.submit("Produce the pack", "Subject access pack")
    expect(hr.main.get_by_role("alert")).to_contain_text("No employee has staff number NO-SUCH.")
    hr.shot("7-subject-access", "unknown-staff-number")

    hr.page.get_by_label("Staff number").fill(employee.staff_number)
    with hr.page.expect_download() as downloading:
        hr.main.get_by_role("button", name="Produce the pack", exact=True).click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    event = AuditEvent.objects.get(action=SUBJECT_ACCESS_EXPORT)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == event.payload["sha256"]
