"""Start-up checks: every action has its rule, and the participants port is plugged in.

The rules of the panel stage's actions and the facts about who sits on a
case come from the panels app, registered in its ``ready()``. Forgetting to
register would otherwise show only when someone first takes that action (a
``KeyError``) or opens a case (``ImproperlyConfigured``); these checks make
``manage.py check``, ``runserver`` and ``migrate`` refuse to start instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from . import participants
from .rules import RULES, Action


@checks.register()
def every_action_has_a_rule(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    missing = [a.value for a in Action if a not in RULES]
    if not missing:
        return []
    return [
        checks.Error(
            f"No rule is registered for the actions: {', '.join(missing)}.",
            hint=(
                "The app that owns these actions must call workflow.rules.register_rules() "
                "in its AppConfig.ready() (panels: panels.actions)."
            ),
            id="workflow.E001",
        )
    ]


@checks.register()
def participants_registered(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    if participants.is_registered():
        return []
    return [
        checks.Error(
            "No case participants are registered (workflow.participants).",
            hint=(
                "The app that seats people on cases must call workflow.participants.register() "
                "in its AppConfig.ready() (panels: panels.participants)."
            ),
            id="workflow.E002",
        )
    ]
