"""Every action through the web UI: the right person succeeds, and each kind of
refusal (wrong role, wrong stage, outsider, bad input) answers with its status
and a message, and writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

from ..factories import EmployeeFactory, make_user, other_units
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
        "record_suspension",
        "informal",
        "hr",
        {"kind": "suspension", "reason": "Risk to patients.", "started_on": "today"},
        {"kind": "suspension", "reason": "Risk to patients.", "started_on": "31/12/2099"},
        "cannot be in the future",
        "director",
        "closed",
    ),
    Row(
        "review_suspension",
        "suspended",
        "hr",
        {"reviewed_on": "today", "decision": "continue", "reason": "Still needed."},
        {"reviewed_on": "today", "decision": "continue", "reason": ""},
        "required",
        "director",
        "closed",
    ),
    Row(
        "lift_suspension",
        "suspended",
        "hr",
        {"lifted_on": "today", "reason": "No longer needed."},
        {"lifted_on": "not a date", "reason": "No longer needed."},
        "Enter the date as day/month/year",
        "director",
        "closed",
    ),
    Row(
        "set_wellbeing_contact",
        "informal",
        "hr",
        {},
        {},
        "Select a valid choice",
        "director",
        "closed",
    ),
    Row(
        "record_checkin",
        "informal",
        "hr",
        {"held_on": "today", "how": "phone", "declined": "no"},
        {"held_on": "31/12/2099", "how": "phone", "declined": "no"},
        "cannot be in the future",
        "director",
        "closed",
    ),
    # The employee's voice (voice/). Issuing the link answers 200 with the
    # link shown once, not a redirect, and has no bad input: it is tested in
    # tests/voice/test_decision.py.
    Row(
        "record_employee_told",
        "panel",
        "hr",
        {"told_on": "today", "method": "in_person"},
        {"told_on": "31/12/2099", "method": "in_person"},
        "cannot be in the future",
        "director",
        "signoff",
    ),
    Row(
        "record_account",
        "informal",
        "hr",
        {"source": "meeting", "text": "My account of that shift.", "meeting_on": "today"},
        {"source": "meeting", "text": "", "meeting_on": "today"},
        "Give the employee&#x27;s account",
        "director",
        "signoff",
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
    # The formal process (formal/): its first step on a case just in formal;
    # tests/formal walks the rest. The bad input names someone who sat on
    # the panel: refused with the rule named.
    Row(
        "name_investigator",
        "formal",
        "hr",
        {},
        {},
        "Not previously involved",
        "director",
        "signoff",
    ),
]
IDS = [row.action for row in ROWS]


def _independent_staff() -> Any:
    """Someone on the staff who played no part in the case (formal/)."""
    user = get_user_model().objects.filter(username="ivy.matrix").first()
    if user is None:
        user = make_user("ivy.matrix", Role.STAFF)
        EmployeeFactory.create(user=user, org_unit=other_units()["other_icsu"])
    return user


def _post(client: Any, user: Any, case: Any, action: str, data: dict[str, Any]) -> Any:
    client.force_login(user)
    case.refresh_from_db()
    url = reverse("cases:action", args=[case.pk, action])
    return client.post(url, {"version": case.version, **data})


def _data(row: Row, cast: Any, which: str) -> dict[str, Any]:
    data = dict(getattr(row, which))
    if row.action == "convene_panel" and which == "good":
        data.update(members(cast))
    if row.action == "record_suspension":
        data["decided_by"] = cast.director.pk
    if row.action == "set_wellbeing_contact":
        # A decision-maker may be the contact; the referring manager never.
        data["wellbeing_contact"] = (cast.director if which == "good" else cast.manager).pk
    if row.action == "name_investigator":
        data["investigator"] = (_independent_staff() if which == "good" else cast.panel_b).pk
    # The register's dates: "today" as the form takes it.
    today = timezone.localdate().strftime("%d/%m/%Y")
    return {k: today if v == "today" else v for k, v in data.items()}


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
