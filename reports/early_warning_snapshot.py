"""Early-warning snapshots (docs/early-warning.md, "Snapshots"): the method's
rows for one day and window, computed once and kept, so that the page reads
one page of them however many referring managers a trust has.

Computing the early warning reads every referral in the window and works out
a binomial tail for every unit and every manager: at 100,000 cases, some
16,000 referrals in 24 months from 3,700 managers. That is work for the night,
not for each page view. So:

* each night (``early_warning_nightly``) every trust's early warning is
  computed as at **yesterday** (the last complete day) over 12 and 24 months;
* the quarterly alert run keeps its quarter's early warning the same way;
* HR may ask for any other day and window, once (``early_warning_snapshot_compute``);
* an import that could change a snapshot's figures (referral history, a
  headcount) drops the snapshots it touches (``early_warning_snapshots_drop``);
  the next night, or HR, computes them again.

Each row keeps its place in HR's order (``rank``, ``level_rank``), so a page is
a range of an index. Nightly and requested snapshots are kept for
``KEEP_DAYS`` days, the quarterly ones for ``KEEP_QUARTERS`` quarters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .early_warning import Row, band_of, early_warning, significant, two_decimals
from .early_warning_funnel import Limits, funnel_limits, funnel_position, funnel_target
from .models import EarlyWarningRow, EarlyWarningSnapshot

NIGHTLY_WINDOWS = (12, 24)
KEEP_DAYS = 7
KEEP_QUARTERS = 8
Reason = EarlyWarningSnapshot.Reason


# --- writes --------------------------------------------------------------------------


def early_warning_snapshot_compute(
    *, as_at: dt.date, window_months: int, reason: str = Reason.REQUESTED
) -> EarlyWarningSnapshot:
    """Compute the current trust's early warning as at ``as_at`` and keep it,
    replacing any snapshot of the same day and window."""
    return early_warning_snapshot_store(
        early_warning(as_at, window_months),
        as_at=as_at,
        window_months=window_months,
        reason=reason,
    )


def early_warning_snapshot_store(
    rows: list[Row], *, as_at: dt.date, window_months: int, reason: str
) -> EarlyWarningSnapshot:
    """Keep ``rows`` (the method's, in its order) as the snapshot of ``as_at``
    and ``window_months``, replacing any before it. A quarterly snapshot
    computed again stays quarterly, and so is kept as long."""
    levels = Counter(r.level for r in rows)
    limits = _limits_for(rows, as_at)
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = EarlyWarningSnapshot.objects.filter(
                    as_at=as_at, window_months=window_months
                )
                if existing.filter(reason=Reason.QUARTER_END).exists():
                    reason = Reason.QUARTER_END
                _drop(existing)
                snapshot = EarlyWarningSnapshot.objects.create(
                    as_at=as_at,
                    window_months=window_months,
                    reason=reason,
                    computed_at=timezone.now(),
                    icsus=levels["icsu"],
                    departments=levels["department"],
                    managers=levels["manager"],
                )
                stored = stored_rows(rows, limits)
                for row in stored:
                    row.snapshot = snapshot
                EarlyWarningRow.objects.bulk_create(stored, batch_size=2000)
                return snapshot
        except IntegrityError:
            # Another run stored the same day and window at the same moment:
            # replace theirs, once.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def stored_rows(rows: list[Row], limits: tuple[Limits, ...]) -> list[EarlyWarningRow]:
    """The method's rows (in its order) as unsaved snapshot rows: figures
    rounded as shown, band, place against the funnel (``limits`` reaching the
    largest n, or empty without a target) and place in the order."""
    within: Counter[str] = Counter()
    out = []
    for rank, row in enumerate(rows):
        tail = row.tail
        out.append(
            EarlyWarningRow(
                level=row.level,
                key=row.key,
                n=row.n,
                bme=row.bme,
                expected=None if row.p is None else Decimal(str(two_decimals(row.n * row.p))),
                p_value=None if tail is None else significant(tail),
                band=band_of(row.n, tail),
                position=funnel_position(row.n, row.bme, limits[row.n - 1])
                if row.n and limits
                else "",
                rank=rank,
                level_rank=within[row.level],
            )
        )
        within[row.level] += 1
    return out


def _limits_for(rows: list[Row], as_at: dt.date) -> tuple[Limits, ...]:
    p0 = funnel_target(as_at).p0
    n_max = max((r.n for r in rows), default=0)
    return funnel_limits(float(p0), n_max) if p0 is not None else ()


def early_warning_nightly_run(today: dt.date) -> list[EarlyWarningSnapshot]:
    """The current trust's nightly snapshots (as at the day before ``today``,
    over each of ``NIGHTLY_WINDOWS``), and the old ones pruned."""
    as_at = today - dt.timedelta(days=1)
    made = [
        early_warning_snapshot_compute(as_at=as_at, window_months=months, reason=Reason.NIGHTLY)
        for months in NIGHTLY_WINDOWS
    ]
    early_warning_snapshots_prune(today)
    return made


def early_warning_snapshots_prune(today: dt.date) -> int:
    """Drop nightly and requested snapshots older than ``KEEP_DAYS`` days and
    quarterly ones older than ``KEEP_QUARTERS`` quarters; the number dropped."""
    day_limit = today - dt.timedelta(days=KEEP_DAYS)
    quarter_limit = today - dt.timedelta(days=92 * KEEP_QUARTERS)
    old = EarlyWarningSnapshot.objects.filter(
        Q(as_at__lt=day_limit) & ~Q(reason=Reason.QUARTER_END)
        | Q(as_at__lt=quarter_limit, reason=Reason.QUARTER_END)
    )
    return _drop(old)


def early_warning_snapshots_drop(since: dt.date) -> int:
    """Drop every snapshot whose figures data dated ``since`` could change
    (those as at that day or later): called by the imports. The number dropped."""
    return _drop(EarlyWarningSnapshot.objects.filter(as_at__gte=since))


def _drop(snapshots: QuerySet[EarlyWarningSnapshot]) -> int:
    ids = list(snapshots.values_list("id", flat=True))
    if ids:
        EarlyWarningRow.objects.filter(snapshot_id__in=ids).delete()
        EarlyWarningSnapshot.objects.filter(id__in=ids).delete()
    return len(ids)


# --- reads ---------------------------------------------------------------------------


def live_unit_rows(as_at: dt.date, window_months: int) -> list[EarlyWarningRow]:
    """The ICSU and department rows computed now, unsaved, for a view of
    units when no snapshot of the day and window exists: no manager is read."""
    rows = early_warning(as_at, window_months, managers=False)
    return stored_rows(rows, _limits_for(rows, as_at))


def snapshot_of(as_at: dt.date, window_months: int) -> EarlyWarningSnapshot | None:
    """The current trust's snapshot of that day and window, if it has one."""
    return EarlyWarningSnapshot.objects.filter(as_at=as_at, window_months=window_months).first()


def latest_snapshot_day(window_months: int) -> dt.date | None:
    """The latest day the current trust has a snapshot of over ``window_months``."""
    latest = (
        EarlyWarningSnapshot.objects.filter(window_months=window_months)
        .order_by("-as_at")
        .values_list("as_at", flat=True)
        .first()
    )
    return latest


def snapshot_rows(
    snapshot: EarlyWarningSnapshot, *, start: int, stop: int, level: str | None = None
) -> list[EarlyWarningRow]:
    """Rows ``start`` to ``stop - 1`` of the snapshot in HR's order (of one
    level when ``level`` says): a range of an index, one page's reading."""
    rows = EarlyWarningRow.objects.filter(snapshot=snapshot)
    if level is None:
        return list(rows.filter(rank__gte=start, rank__lt=stop).order_by("rank"))
    return list(
        rows.filter(level=level, level_rank__gte=start, level_rank__lt=stop).order_by("level_rank")
    )


def snapshot_unit_rows(snapshot: EarlyWarningSnapshot) -> list[EarlyWarningRow]:
    """Every ICSU and department row, in HR's order: as many as the trust has
    units, whatever its number of cases."""
    return list(
        EarlyWarningRow.objects.filter(
            snapshot=snapshot, level__in=("icsu", "department")
        ).order_by("rank")
    )


def snapshot_extremes(
    snapshot: EarlyWarningSnapshot, level: str, limit: int
) -> list[EarlyWarningRow]:
    """The first ``limit`` rows of one level in HR's order: the lowest p-values."""
    return snapshot_rows(snapshot, start=0, stop=limit, level=level)


def snapshot_all_rows(
    snapshot: EarlyWarningSnapshot, levels: tuple[str, ...]
) -> QuerySet[EarlyWarningRow]:
    """Every row of ``levels`` in HR's order, for the download (iterate it)."""
    return EarlyWarningRow.objects.filter(snapshot=snapshot, level__in=levels).order_by("rank")
