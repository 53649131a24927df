"""An audit event's payload in plain words (``web.event_text``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from web.event_text import event_details
from workflow.access import ShownEvent


def event(action: str, payload: dict[str, Any]) -> ShownEvent:
    at = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0))
    return ShownEvent(1, 1, at, None, action, action, "panel", "panel", "", payload, False)


def test_a_panel_is_its_members_names_and_its_chair() -> None:
    names = {9: "Priya Shah", 8: "Paul Grant", 7: "Pat Owusu"}
    lines = event_details(
        event("convene_panel", {"panel_id": 20, "members": [9, 8, 7], "chair": 9}), names
    )
    assert lines == ["Panel 20: Priya Shah, Paul Grant and Pat Owusu.", "Chair: Priya Shah."]


def test_people_the_viewer_may_not_see_are_not_named() -> None:
    lines = event_details(event("convene_panel", {"members": [9, 8], "chair": 9}), {})
    assert lines == ["The panel: a panel member and a panel member.", "Chair: a panel member."]


def test_a_decision_says_its_outcome_views_and_guide_in_words() -> None:
    payload = {
        "outcome": "mediation",
        "decision_id": 16,
        "views": {"agree": 3, "dissent": 0},
        "just_culture_outcome": "",
        "guide_alignment": "no_advice",
        "guide_reviewed": False,
    }
    lines = event_details(event("decide", payload), {})
    assert lines == [
        "Decision: Mediation.",
        "Members' views: 3 agree, 0 dissent.",
        "Just culture guide: not enough answers to advise.",
    ]
    assert not any("departs" in line or "16" in line for line in lines)


def test_an_unknown_payload_is_spelt_out_never_printed_as_python() -> None:
    lines = event_details(
        event("some_new_action", {"rows": [1, 2], "filters": {"stage": "panel"}, "ok": True}), {}
    )
    assert lines == ["Rows: 1, 2", "Filters: stage panel", "Ok: yes"]
    assert not any("[" in line or "{" in line for line in lines)
