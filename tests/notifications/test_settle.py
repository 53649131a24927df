"""Notices whose ask has lapsed are read (notifications/services/settle.py):
when a case moves on, "waiting for triage", "asked to sit on a panel" and
"sign-off waiting" stop being outstanding for everyone they went to, and
reminders about a finished case too; notices that only tell are left."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from notifications.models import Kind, Notification
from panels.services import panel_declare
from workflow.models import Stage
from workflow.services import case_signoff, case_triage

from ..factories import make_user
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db


def unread(kind: str, recipient: Any = None) -> int:
    notes = Notification.objects.filter(kind=kind, read_at__isnull=True)
    if recipient is not None:
        notes = notes.filter(recipient=recipient)
    return notes.count()


def test_once_one_adviser_triages_no_adviser_is_still_asked_to(story: Story, people: Any) -> None:
    second = make_user("hr-second", Role.HR)
    case = story.submitted()
    assert unread(Kind.SUBMITTED, people.hr) == 1
    assert unread(Kind.SUBMITTED, second) == 1
    case = case_triage(case_id=case.pk, actor=people.hr, route="informal")
    assert case.stage == Stage.INFORMAL
    assert unread(Kind.SUBMITTED) == 0
    # The manager's "your case moved on" tells, and is theirs to read.
    assert unread(Kind.CASE_MOVED, people.manager) == 1


def test_the_panels_and_the_signoffs_asks_lapse_as_the_case_moves(
    story: Story, people: Any
) -> None:
    case = story.just_convened()
    assert unread(Kind.PANEL_CONVENED) == len(people.panel)
    case = story.decide(story.deliberated(case), "formal_investigation")
    assert case.stage == Stage.SIGNOFF
    assert unread(Kind.PANEL_CONVENED) == 0
    assert unread(Kind.SIGNOFF_WAITING, people.director) == 1
    case_signoff(case_id=case.pk, actor=people.director, approve=True, reason="Proportionate.")
    assert unread(Kind.SIGNOFF_WAITING) == 0


def test_what_does_not_move_the_case_settles_nothing(story: Story, people: Any) -> None:
    """Declaring a conflict or recording a view leaves the stage as it is: the
    panel is still asked."""
    case = story.just_convened()
    before = unread(Kind.PANEL_CONVENED)
    panel_declare(case_id=case.pk, actor=people.panel[0], no_conflict=True)
    assert before == len(people.panel)
    assert unread(Kind.PANEL_CONVENED) == before


def test_a_notice_already_read_keeps_its_time(story: Story, people: Any) -> None:
    case = story.submitted()
    note = Notification.objects.get(kind=Kind.SUBMITTED, recipient=people.hr)
    note.read_at = note.created_at
    note.save(update_fields=["read_at"])
    case_triage(case_id=case.pk, actor=people.hr, route="informal")
    note.refresh_from_db()
    assert note.read_at == note.created_at
