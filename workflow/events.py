"""What the case engine announces (published through ``core.events``).

The engine publishes these inside the action's transaction, after the case
row, the flow, the step spell and the audit event are written; subscribers
(``notifications`` records who must hear and sets the open step's reminders)
run in the same transaction. The engine imports none of its subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accounts.types import Actor

    from .models import Case, CaseStep
    from .rules import Action


@dataclass(frozen=True)
class CaseSubmitted:
    """A manager submitted a proposed referral; the case is waiting for triage."""

    case: Case
    actor: Actor
    open_step: CaseStep | None


@dataclass(frozen=True)
class CaseActed:
    """Someone took ``action`` on ``case``.

    ``flow_moved`` is False for what is recorded while a step stays open (a
    declaration, a view, a replacement): the stage is then unchanged and no
    new step opened. ``open_step`` is the step spell the action opened, if any.
    """

    case: Case
    actor: Actor
    action: Action
    from_stage: str
    to_stage: str
    flow_moved: bool
    open_step: CaseStep | None = None
    payload: dict[str, Any] = field(default_factory=dict)
