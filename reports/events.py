"""What the reports announce (``core.events``): the layers above react.

Reports and notifications are siblings (ADR 0015): neither imports the
other, so the quarterly early-warning run publishes what it found and the
notification is recorded by a subscriber wired where both are visible
(``web.apps.WebConfig.ready``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class EarlyWarningAlertsRaised:
    """The quarterly run as at ``quarter_end`` found these alerts ``new``
    (level, key) since the previous quarter's, in ``trust_id``. Published
    inside the run's transaction, on every run (a rerun included: the
    notification's event key makes telling anyone twice a no-op)."""

    trust_id: int
    quarter_end: dt.date
    new: tuple[tuple[str, str], ...]
    in_alert: int
