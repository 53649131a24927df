"""The deadline sweep fires its notices in batches: whom it tells does not
depend on the batch size, and what it costs does not depend on how many
notices are due (a bounded number of queries per batch)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Delivery, Kind, ScheduledNotice
from notifications.services import deadline_sweep
from panels.services import panel_declare
from workflow.models import Case

from ..workflow.steps import OPEN_POINTS, Story
from .outbox import deadline_notifications, steps_told

pytestmark = pytest.mark.django_db

Told = set[tuple[str, int, str, str, str, str]]


def open_cases(story: Story, people: Any, rounds: int) -> list[Case]:
    """Each round: a case at every open point of the flow, and two panels
    still deliberating (one waiting on declarations and views, one with an
    empty seat), so every rule for whom to tell has a notice to apply to."""
    cases = []
    for _ in range(rounds):
        cases += [story.at(point) for point in OPEN_POINTS]
        declaring = story.just_convened()
        panel_declare(case_id=declaring.pk, actor=people.panel_a, no_conflict=True)
        empty_seat = story.just_convened()
        panel_declare(
            case_id=empty_seat.pk, actor=people.panel_b, no_conflict=False, reason="I know them."
        )
        cases += [declaring, empty_seat]
    return cases


def all_due_today() -> int:
    """Every notice still to fire (reminders and both escalations) falls due today."""
    return ScheduledNotice.objects.update(fire_on=timezone.localdate())


def deadline_deliveries() -> Told:
    """What the sweep recorded: each step told each person, with the channel
    and status of the delivery that carries it (one notification, or a
    bundle of several, per person and batch)."""
    found = Delivery.objects.filter(
        notification__kind__in=[*Kind.deadline_kinds(), Kind.DUE_STEPS]
    ).select_related("notification__recipient")
    return {(*step, d.channel, d.status) for d in found for step in steps_told(d.notification)}


def sweep_and_undo(batch: int) -> tuple[int, Told, int]:
    """Sweep in batches of ``batch``, then roll it back: how many fired, what
    was recorded, and the queries it took."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        fired = deadline_sweep(batch=batch)
        told = deadline_deliveries()
        transaction.set_rollback(True)
    return fired, told, len(queries) - 1  # less the read of what was recorded


def test_one_notice_at_a_time_and_all_at_once_tell_the_same_people(
    story: Story, people: Any
) -> None:
    open_cases(story, people, rounds=1)
    due = all_due_today()

    one_by_one = sweep_and_undo(batch=1)
    at_once = sweep_and_undo(batch=500)

    assert one_by_one[0] == at_once[0] == due == 24
    assert one_by_one[1] == at_once[1]
    told = {username for username, *_ in at_once[1]}
    # HR, the managers owing informal steps, members owing declarations or
    # views, the chair owing the decision, the decision-maker: all of them.
    assert told == {
        "hana.hr",
        "maya.manager",
        "priya.panel",
        "paul.panel",
        "pat.panel",
        "dina.director",
    }
    assert not deadline_notifications()


def test_firing_four_times_as_many_notices_takes_the_same_queries(
    story: Story, people: Any
) -> None:
    open_cases(story, people, rounds=1)
    all_due_today()
    fewer, _, fewer_queries = sweep_and_undo(batch=500)
    open_cases(story, people, rounds=3)
    all_due_today()
    more, _, more_queries = sweep_and_undo(batch=500)

    assert (fewer, more) == (24, 96)
    assert more_queries == fewer_queries
    assert fewer_queries <= 25


def test_each_batch_costs_the_same_bounded_queries(story: Story, people: Any) -> None:
    open_cases(story, people, rounds=2)
    all_due_today()
    _, _, short_batch = sweep_and_undo(batch=500)
    _, _, one_full_batch = sweep_and_undo(batch=48)
    fired, _, two_full_batches = sweep_and_undo(batch=24)
    assert fired == 48
    # A full batch is followed by one more claim (which finds nothing):
    # whatever its size, each batch of 24 costs what the batch of 48 did.
    assert two_full_batches - one_full_batch == short_batch


def test_a_notice_whose_step_closed_meanwhile_is_taken_and_tells_nobody(
    story: Story, people: Any
) -> None:
    case = story.submitted()
    all_due_today()
    # As if the step had closed without its notices being cancelled.
    case.steps.update(left_at=timezone.now())
    assert deadline_sweep() == 3
    assert not ScheduledNotice.objects.exists()
    assert not deadline_notifications()
