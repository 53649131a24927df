"""What the formal process announces (published through ``core.events``).

The process keeps its own step spells (``workflow.CaseStep``: investigate,
hearing, appeal) beside the flow, which has ended. Whoever keeps reminders
about open steps (``notifications``, above this app) subscribes here, as it
does to the engine's ``CaseActed``; this app imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.models import Case, CaseStep


@dataclass(frozen=True)
class FormalStepChanged:
    """The process closed its open step and opened ``open_step`` (None: it
    concluded, or waits for nobody's step, e.g. after a sanction)."""

    case: Case
    open_step: CaseStep | None
