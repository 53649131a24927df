"""Two client programs acting on one case at the same moment, through the API:
exactly one is applied, the other is told 409, and the record shows one action.

The requests run in two threads, each with its own database connection, so
these tests need committed data: transactional tests on PostgreSQL.
``serialized_rollback`` restores the role groups the migrations made, which
the flush after a transactional test would otherwise take from later tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from audit.models import AuditEvent
from panels.models import PanelDecision
from workflow.models import Case

from .steps import PANEL_REASON, RATIONALE, Api, Walk

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]


def at_once(*requests: Callable[[], Any]) -> list[Any]:
    """Send each request from its own thread and connection, released together."""
    start = threading.Barrier(len(requests))
    responses: list[Any] = [None] * len(requests)

    def run(i: int, request: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            responses[i] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return responses


def as_user(user_id: int) -> Api:
    # Each thread loads its own user through its own connection.
    return Api.as_user(get_user_model().objects.get(pk=user_id))


def one_won(responses: list[Any]) -> Any:
    """Exactly one 200 and one 409 with a reason; returns the winner's case."""
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.content[:300] for r in responses]
    [loser] = [r for r in responses if r.status_code == 409]
    assert loser.json()["detail"]
    return next(r.json() for r in responses if r.status_code == 200)


@pytest.mark.parametrize("round_", range(3))
def test_two_chairs_requests_to_decide_at_once_record_one_decision(
    cast: Any, walk: Walk, round_: int
) -> None:
    case = walk.convened()
    chair = cast.panel_a.pk

    responses = at_once(
        lambda: as_user(chair).act(case["id"], "decide", outcome="mediation", rationale=RATIONALE),
        lambda: as_user(chair).act(
            case["id"], "decide", outcome="formal_investigation", rationale=RATIONALE
        ),
    )

    won = one_won(responses)
    assert PanelDecision.objects.filter(case_id=case["id"]).count() == 1
    assert AuditEvent.objects.filter(case_id=case["id"], action="decide").count() == 1
    stored = Case.objects.get(pk=case["id"])
    assert stored.version == case["version"] + 1 == won["version"]
    assert stored.outcome == PanelDecision.objects.get(case_id=case["id"]).outcome
    assert stored.stage == won["stage"]


@pytest.mark.parametrize("round_", range(3))
def test_two_triages_at_once_route_the_case_once(cast: Any, walk: Walk, round_: int) -> None:
    case = walk.submitted()
    hr = cast.hr.pk

    responses = at_once(
        lambda: as_user(hr).act(case["id"], "triage", route="informal"),
        lambda: as_user(hr).act(case["id"], "triage", route="panel", reason=PANEL_REASON),
    )

    won = one_won(responses)
    stored = Case.objects.get(pk=case["id"])
    assert stored.stage == won["stage"] in ("informal", "panel")
    assert stored.version == 2
    assert AuditEvent.objects.filter(case_id=case["id"], action="triage").count() == 1
