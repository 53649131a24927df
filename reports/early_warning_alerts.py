"""The quarterly early-warning alerts (docs/early-warning.md, "Quarterly alerts").

At the end of each NHS quarter (30 June, 30 September, 31 December,
31 March) the early warning is computed as at the quarter's last day over
the usual 24 months, and every row in the ``alert`` band is recorded as an
``EarlyWarningAlert``. An alert is **new** when the unit or manager was not
in alert at the previous quarter's run: its recorded alerts, or, when no
alert was recorded for that quarter (no run, or a run with none), the early
warning computed as at that quarter's end. HR advisers are then told once
(``events.EarlyWarningAlertsRaised``, recorded as a notification by its
subscriber, with an event key naming the trust and the quarter). The run's
rows are kept as the quarter's snapshot (``early_warning_snapshot``), which
the page opens on.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core import events
from tenancy.context import trust_id_required

from .early_warning import Row, band_of, early_warning, two_decimals
from .early_warning_snapshot import Reason, early_warning_snapshot_store
from .events import EarlyWarningAlertsRaised
from .models import EarlyWarningAlert

WINDOW_MONTHS = 24
QUARTER_END_MONTHS = (3, 6, 9, 12)


def quarter_end_on_or_before(day: dt.date) -> dt.date:
    """The last day of the NHS quarter ending on or before ``day``."""
    year, month = day.year, day.month
    while True:
        if month in QUARTER_END_MONTHS:
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            if end <= day:
                return end
        month -= 1
        if month == 0:
            year, month = year - 1, 12


def previous_quarter_end(quarter_end: dt.date) -> dt.date:
    """The quarter end three months before ``quarter_end``."""
    return quarter_end_on_or_before(quarter_end.replace(day=1) - dt.timedelta(days=1))


def last_complete_quarter_end(today: dt.date) -> dt.date:
    """The end of the last NHS quarter that is over on ``today`` (today's own
    quarter end is not over until the day is)."""
    return quarter_end_on_or_before(today - dt.timedelta(days=1))


@dataclass(frozen=True)
class AlertRun:
    quarter_end: dt.date
    alerts: list[Row]  # every row in alert at the quarter's end
    new: list[Row]  # those not in alert at the previous quarter's


def in_alert(rows: list[Row]) -> list[Row]:
    return [r for r in rows if band_of(r.n, r.tail) == "alert"]


def early_warning_alerts_record(
    *, quarter_end: dt.date, window_months: int = WINDOW_MONTHS
) -> AlertRun:
    """Record the current trust's alerts as at ``quarter_end`` (once: a rerun
    adds only alerts it did not record before) and announce the new ones."""
    rows = early_warning(quarter_end, window_months)
    alerts = in_alert(rows)
    previous = _previously_in_alert(previous_quarter_end(quarter_end), window_months)
    new = [r for r in alerts if (r.level, r.key) not in previous]
    now = timezone.now()
    with transaction.atomic():
        EarlyWarningAlert.objects.bulk_create(
            [_alert(r, quarter_end, window_months, now) for r in alerts],
            ignore_conflicts=True,
        )
        # Kept, so that the alert's link opens the page on what the run saw.
        early_warning_snapshot_store(
            rows, as_at=quarter_end, window_months=window_months, reason=Reason.QUARTER_END
        )
        events.publish(
            EarlyWarningAlertsRaised(
                trust_id=trust_id_required(),
                quarter_end=quarter_end,
                new=tuple((r.level, r.key) for r in new),
                in_alert=len(alerts),
            )
        )
    return AlertRun(quarter_end, alerts, new)


def _previously_in_alert(quarter_end: dt.date, window_months: int) -> set[tuple[str, str]]:
    recorded = set(
        EarlyWarningAlert.objects.filter(quarter_end=quarter_end).values_list("level", "key")
    )
    if recorded:
        return recorded
    return {(r.level, r.key) for r in in_alert(early_warning(quarter_end, window_months))}


def _alert(
    row: Row, quarter_end: dt.date, window_months: int, now: dt.datetime
) -> EarlyWarningAlert:
    return EarlyWarningAlert(
        quarter_end=quarter_end,
        level=row.level,
        key=row.key,
        window_months=window_months,
        n=row.n,
        bme=row.bme,
        expected=None if row.p is None else Decimal(str(two_decimals(row.n * row.p))),
        p_value=float(row.tail or 0),  # an alert always has its tail
        recorded_at=now,
    )
