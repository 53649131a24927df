"""What the voice app announces (published through ``core.events``).

``AccountReceived`` is published inside the transaction that recorded an
account sent by the employee's link; ``notifications`` (a layer above)
subscribes and tells the case's owner. Nobody is logged in when it
happens, so it is not a ``workflow.events.CaseActed`` (which names the actor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.models import Case


@dataclass(frozen=True)
class AccountReceived:
    """The employee sent their account through their single-use link."""

    case: Case
    account_id: int
