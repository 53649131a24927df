"""What the panels app announces about its meetings (published through ``core.events``).

Published inside the meeting service's transaction; ``notifications``
subscribes and records each member's invitation, update or cancellation in
the same transaction, so a meeting change and the word of it commit together.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.types import Actor

    from .models import PanelMeeting


class MeetingChange(enum.StrEnum):
    SCHEDULED = "scheduled"
    CHANGED = "changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class MeetingChanged:
    """HR scheduled, changed or cancelled ``meeting`` (its ``sequence`` as it now is)."""

    meeting: PanelMeeting
    actor: Actor
    change: MeetingChange
