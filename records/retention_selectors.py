"""Reads for the retention schedule: which case files are due for destruction.

A file is due on the day ``records.retention.retention_due_on`` names; these
queries give the same answer in SQL (``tests/records/test_retention_selectors.py``
holds the two to it), so the review lists every due file and no other.
Every list is a keyset page over ``case_retention`` (a partial index of the
closed files not yet destroyed), oldest case first: a page costs the same
whether ten files or a million tombstones came before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.types import Viewer
from core.errors import NotAllowed, NotFound
from core.paging import Cursor, KeysetPage, keyset_page
from workflow.access import RetentionManage
from workflow.models import Case, Stage

from .retention import (
    RetentionClass,
    retention_class,
    retention_due_on,
    retention_start,
    years_after,
)

ORDER = ("id",)


@dataclass(frozen=True)
class DueFile:
    """One due file as the review shows it: no names, nothing of the case's
    substance, only what HR needs to find and confirm it."""

    case_id: int
    reference: str
    retention_class: RetentionClass
    closed_on: dt.date
    due_on: dt.date


def latest_start(as_of: dt.date, years: int) -> dt.date:
    """The latest retention start whose file is due by ``as_of``: the
    inverse of ``years_after`` (a start on 29 February falls due on 28
    February, so that day is included when it is the one that fits)."""
    start = years_after(as_of, -years)
    following = start + dt.timedelta(days=1)
    return following if years_after(following, years) <= as_of else start


def _before_day_after(day: dt.date) -> dt.datetime:
    """Midnight after ``day`` in the trust's time zone: ``at < this`` is on or before it."""
    following = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime(following.year, following.month, following.day))


def retention_due_q(as_of: dt.date) -> Q:
    """Live case files due for destruction by ``as_of``."""
    formal_by = _before_day_after(latest_start(as_of, RetentionClass.FORMAL.years))
    closed_by = _before_day_after(latest_start(as_of, RetentionClass.NO_FORMAL.years))
    # Concluded on or after it was commissioned: the commission's index narrows
    # the read, the conclusion decides (an unconcluded process is never due).
    formal = Q(
        formal_commissioned_at__isnull=False,
        formal_commissioned_at__lt=formal_by,
        formal_concluded_at__lt=formal_by,
    )
    closed = Q(formal_commissioned_at__isnull=True, stage=Stage.CLOSED, closed_at__lt=closed_by)
    return Q(destroyed_at__isnull=True, stage__in=[Stage.CLOSED, Stage.FORMAL]) & (formal | closed)


def retention_due(as_of: dt.date) -> QuerySet[Case]:
    """The due files, with only the columns the review shows."""
    return Case.objects.filter(retention_due_q(as_of)).only(
        "id", "reference", "stage", "closed_at", "formal_commissioned_at", "formal_concluded_at"
    )


def due_file(case: Case) -> DueFile:
    """The review's row for a closed case (an open one is never due)."""
    kept, start, due = retention_class(case), retention_start(case), retention_due_on(case)
    if kept is None or start is None or due is None:
        raise ValueError(f"Case {case.pk} is open: an open case file is never due.")
    return DueFile(case.pk, case.reference, kept, start, due)


def retention_due_page(
    *, as_of: dt.date, cursor: Cursor | None = None, size: int = 50
) -> KeysetPage[DueFile]:
    """One page of the files due by ``as_of``, oldest case first."""
    page = keyset_page(retention_due(as_of), order=ORDER, cursor=cursor, size=size)
    return KeysetPage(rows=[due_file(c) for c in page.rows], newer=page.newer, older=page.older)


def retention_newly_due(*, as_of: dt.date, days: int) -> QuerySet[Case]:
    """Files that fell due in the ``days`` up to ``as_of``: due by it, and not
    already due ``days`` earlier. What the weekly review tells HR about."""
    earlier = as_of - dt.timedelta(days=days)
    return retention_due(as_of).exclude(retention_due_q(earlier))


@dataclass(frozen=True)
class Tombstone:
    """What a destroyed case file still says: nothing about its person."""

    case_id: int
    reference: str
    org_unit: str
    stage: str
    outcome: str
    submitted_on: dt.date
    closed_on: dt.date | None
    formal_commissioned_on: dt.date | None
    destroyed_on: dt.date


def _local(at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(at) if at is not None else None


def tombstone_get(*, user: Viewer, case_id: int) -> Tombstone | None:
    """The tombstone of a destroyed case file, for someone allowed to manage
    retention (HR); None for anyone else, or if the case is not destroyed."""
    if not RetentionManage.allows(user):
        return None
    case = (
        Case.objects.filter(pk=case_id, destroyed_at__isnull=False)
        .select_related("employee_org_unit")
        .first()
    )
    if case is None or case.destroyed_at is None:
        return None
    return Tombstone(
        case_id=case.pk,
        reference=case.reference,
        org_unit=case.employee_org_unit.name,
        stage=case.get_stage_display(),
        outcome=case.get_outcome_display(),
        submitted_on=timezone.localdate(case.submitted_at),
        closed_on=_local(case.closed_at),
        formal_commissioned_on=_local(case.formal_commissioned_at),
        destroyed_on=timezone.localdate(case.destroyed_at),
    )


def retention_case_get(*, user: Viewer, case_id: int) -> Case:
    """A live, closed case file for the confirm page: HR only (``NotAllowed``);
    ``NotFound`` if there is no such case or it is already destroyed."""
    if not RetentionManage.allows(user):
        raise NotAllowed("Only an HR adviser may destroy a case file.")
    case = (
        Case.objects.filter(pk=case_id, destroyed_at__isnull=True)
        .only(
            "id",
            "reference",
            "stage",
            "closed_at",
            "formal_commissioned_at",
            "formal_concluded_at",
            "destroyed_at",
        )
        .first()
    )
    if case is None:
        raise NotFound("There is no such case file to destroy.")
    return case
