"""The engine announces what happened; the reactions subscribe (docs/adr/0015)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from core import events
from notifications.models import Notification
from notifications.services import (
    case_action_notify,
    referral_submitted_notify,
    step_notices_on_action,
    step_notices_on_submit,
)
from panels.services import panel_declare
from workflow.events import CaseActed, CaseSubmitted
from workflow.models import CaseStep, Stage
from workflow.rules import Action
from workflow.services import case_triage

from .steps import PANEL_REASON, Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced() -> Iterator[list[tuple[object, bool]]]:
    """Every case event published during the test, and whether it came inside a
    transaction (a savepoint of the action's atomic block)."""
    heard: list[tuple[object, bool]] = []

    def listen(event: object) -> None:
        heard.append((event, bool(connection.savepoint_ids)))

    events.subscribe(CaseSubmitted, listen)
    events.subscribe(CaseActed, listen)
    yield heard
    events.unsubscribe(CaseSubmitted, listen)
    events.unsubscribe(CaseActed, listen)


def test_the_reactions_are_subscribers_in_order() -> None:
    assert events.subscribers(CaseSubmitted)[:2] == (
        referral_submitted_notify,
        step_notices_on_submit,
    )
    # The apps below notifications (wellbeing, suspensions, formal) may react
    # first; notifications' own reactions keep their order.
    acted = events.subscribers(CaseActed)
    assert acted.index(step_notices_on_action) == acted.index(case_action_notify) + 1


def test_submitting_announces_the_case_and_its_open_step(
    story: Story, announced: list[tuple[object, bool]]
) -> None:
    case = story.submitted()
    [(event, inside)] = announced
    assert isinstance(event, CaseSubmitted)
    assert event.case.pk == case.pk
    assert event.open_step == CaseStep.objects.get(case=case, left_at__isnull=True)
    assert inside


def test_an_action_announces_what_moved(
    cast: Any, story: Story, announced: list[tuple[object, bool]]
) -> None:
    case = story.submitted()
    announced.clear()
    case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON)
    [(event, inside)] = announced
    assert isinstance(event, CaseActed)
    assert (event.action, event.from_stage, event.to_stage) == (
        Action.TRIAGE,
        Stage.SUBMITTED,
        Stage.PANEL,
    )
    assert event.actor == cast.hr
    assert event.flow_moved
    assert event.open_step == CaseStep.objects.get(case=case, left_at__isnull=True)
    assert inside
    # The subscribers ran: the referring manager was told the case moved.
    assert Notification.objects.filter(case=case, recipient=case.referring_manager).exists()


def test_recording_during_a_step_announces_no_move(
    cast: Any, story: Story, announced: list[tuple[object, bool]]
) -> None:
    case = story.just_convened()
    member = cast.panel[0]
    announced.clear()
    panel_declare(case_id=case.pk, actor=member, no_conflict=True)
    [(event, _)] = announced
    assert isinstance(event, CaseActed)
    assert event.action == Action.DECLARE
    assert not event.flow_moved
    assert event.from_stage == event.to_stage
    assert event.open_step is None


def test_a_failing_subscriber_rolls_the_action_back(cast: Any, story: Story) -> None:
    case = story.submitted()

    def fails(event: CaseActed) -> None:
        raise RuntimeError("subscriber failed")

    events.subscribe(CaseActed, fails)
    try:
        with pytest.raises(RuntimeError):
            case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason=PANEL_REASON)
    finally:
        events.unsubscribe(CaseActed, fails)
    case.refresh_from_db()
    assert case.stage == Stage.SUBMITTED
