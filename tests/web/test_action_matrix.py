"""Every action through the web UI: the right person succeeds, and each kind of
refusal (wrong role, wrong stage, outsider, bad input) answers with its status
and a message, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from ..workflow.steps import Story, snapshot

pytestmark = pytest.mark.django_db

RATIONALE = "The panel weighed the evidence, the context and the just culture guide."


@dataclass(frozen=True)
class Row:
    action: str
    at: str  # the point where the action applies
    actor: str  # who may take it there
    good: dict[str, Any]
    bad: dict[str, Any]
    bad_message: str  # part of the message the bad input gets
    wrong_role: str  # someone who can see the case but may not take this action
    wrong_stage: str  # a point where the action does not apply


def members(cast: Any) -> dict[str, Any]:
    return {"members": [u.pk for u in cast.panel], "chair": cast.panel_a.pk}


ROWS = [
    Row(
        "triage",
        "submitted",
        "hr",
        {"route": "informal"},
        {"route": "panel", "reason": ""},
        "informal resolution is inappropriate",
        "director",
        "informal",
    ),
    Row(
        "resubmit",
        "returned",
        "manager",
        {
            "summary": "Raised voice at a colleague during handover, twice in a week.",
            "note": "Added the second occasion.",
        },
        {"summary": "Raised voice at a colleague.", "note": ""},
        "This field is required",
        "hr",
        "submitted",
    ),
    Row(
        "record_informal_outcome",
        "informal",
        "manager",
        {"resolved": "yes", "actions": "Facilitated conversation."},
        {"resolved": "no", "actions": "Facilitated conversation.", "reason": ""},
        "did not work",
        "director",
        "panel",
    ),
    Row(
        "convene_panel",
        "panel",
        "hr",
        {},
        {"members": [], "chair": ""},
        "required",
        "director",
        "convened",
    ),
    Row(
        "decide",
        "convened",
        "panel_a",
        {"outcome": "mediation", "rationale": RATIONALE},
        {"outcome": "mediation", "rationale": "too short"},
        "at least 20 characters",
        "panel_b",
        "signoff",
    ),
    Row(
        "signoff",
        "signoff",
        "director",
        {"approve": "yes", "reason": "Proportionate to the concern."},
        {"approve": "no", "reason": ""},
        "reason for approving or declining",
        "hr",
        "convened",
    ),
    Row(
        "withdraw",
        "informal",
        "manager",
        {"reason": "Raised in error."},
        {"reason": ""},
        "required",
        "director",
        "formal",
    ),
]
IDS = [row.action for row in ROWS]


def _post(client: Any, user: Any, case: Any, action: str, data: dict[str, Any]) -> Any:
    client.force_login(user)
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.pk, action])
    return client.post(url, {"version": case.version, **data})


def _data(row: Row, cast: Any, which: str) -> dict[str, Any]:
    data = dict(getattr(row, which))
    if row.action == "convene_panel" and which == "good":
        data.update(members(cast))
    return data


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_the_right_person_succeeds(client, cast, employee, row):
    case = Story(cast, employee).at(row.at)
    before = case.version
    response = _post(client, getattr(cast, row.actor), case, row.action, _data(row, cast, "good"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.version == before + 1
    assert case.events.values_list("action", flat=True).last() == row.action


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_wrong_role_is_403_and_changes_nothing(client, cast, employee, row):
    case = Story(cast, employee).at(row.at)
    before = snapshot()
    response = _post(
        client, getattr(cast, row.wrong_role), case, row.action, _data(row, cast, "good")
    )
    assert response.status_code == 403
    assert "Only" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_wrong_stage_is_409_and_changes_nothing(client, cast, employee, row):
    story = Story(cast, employee)
    case = story.formal() if row.wrong_stage == "formal" else story.at(row.wrong_stage)
    before = snapshot()
    actor = getattr(cast, row.actor)
    response = _post(client, actor, case, row.action, _data(row, cast, "good"))
    assert response.status_code == 409
    assert "does not apply" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_outsider_is_404_and_changes_nothing(client, cast, employee, row):
    case = Story(cast, employee).at(row.at)
    before = snapshot()
    for user in (cast.outsider, cast.governance, cast.other_manager):
        response = _post(client, user, case, row.action, _data(row, cast, "good"))
        assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_bad_input_is_400_with_a_message_and_changes_nothing(client, cast, employee, row):
    case = Story(cast, employee).at(row.at)
    before = snapshot()
    response = _post(client, getattr(cast, row.actor), case, row.action, _data(row, cast, "bad"))
    assert response.status_code == 400
    assert row.bad_message in response.content.decode()
    assert snapshot() == before
