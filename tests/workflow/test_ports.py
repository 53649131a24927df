"""The panel stage plugs into the engine through a registry and a port.

``workflow`` imports nothing of ``panels``: the panels app registers the
rules of its actions (``workflow.rules.register_rules``) and the facts about
who sits on a case (``workflow.participants``) in its ``ready()``, and the
start-up checks refuse to run without them.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from panels.actions import PANEL_RULES
from panels.participants import PanelParticipants
from workflow import participants as port
from workflow import rules
from workflow.checks import every_action_has_a_rule, participants_registered
from workflow.rules import RULES, Action, Rule, available_actions, register_rules


def test_every_action_has_a_rule_once_the_apps_are_ready() -> None:
    assert set(RULES) == set(Action)
    assert every_action_has_a_rule() == []
    assert all(RULES[a] is rule for a, rule in PANEL_RULES.items())


def test_the_check_names_an_action_left_without_a_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(rules._RULES, Action.DECIDE)
    [error] = every_action_has_a_rule()
    assert error.id == "workflow.E001"
    assert "decide" in error.msg


def test_an_action_has_one_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "_RULES", dict(rules._RULES))
    other = Rule(lambda user, case: True, "Anyone.", node="decide")
    with pytest.raises(ImproperlyConfigured, match="decide"):
        register_rules({Action.DECIDE: other})
    register_rules(PANEL_RULES)  # the same rules again (ready() run twice): no change
    assert rules._RULES[Action.DECIDE] is PANEL_RULES[Action.DECIDE]


def test_the_public_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        RULES[Action.DECIDE] = PANEL_RULES[Action.DECIDE]  # type: ignore[index]  # the point


def test_actions_are_offered_in_the_flows_order_whoever_registered_them_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    anyone = {a: Rule(lambda user, case: True, "Anyone.", stages=("somewhere",)) for a in Action}
    backwards = dict(reversed(list(anyone.items())))
    monkeypatch.setattr(rules, "_RULES", backwards)
    monkeypatch.setattr(rules, "RULES", backwards)
    case: Any = SimpleNamespace(stage="somewhere")
    anyone_at_all: Any = SimpleNamespace()
    assert available_actions(anyone_at_all, case, []) == list(Action)


def test_the_port_refuses_when_nothing_is_plugged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(port, "_registered", None)
    with pytest.raises(ImproperlyConfigured, match="participants"):
        port.participants()
    [error] = participants_registered()
    assert error.id == "workflow.E002"


def test_the_panels_are_plugged_in() -> None:
    assert isinstance(port.participants(), PanelParticipants)
    assert participants_registered() == []
