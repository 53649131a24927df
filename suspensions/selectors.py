"""The register: reads. Every read goes through ``workflow.access.SuspensionVisible``
(one case's measures) or ``SuspensionRegisterVisible`` (the trust-wide page).

The register page is keyset-paged (``core.paging``): the same few queries
on any page, however many measures the trust holds. It never carries the
employee's ethnic category, nor a measure's reason (which can hold health
details): reference, kind, dates and whether a review is overdue.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from core.errors import NotAllowed
from core.paging import Cursor, KeysetPage, keyset_page
from workflow import access

from .models import Suspension, SuspensionReview

if TYPE_CHECKING:
    from accounts.types import Viewer
    from workflow.models import Case

REGISTER_ORDER = ("-started_on", "-id")
PAGE_SIZE = 25
# The reviews shown under each measure on the case page, newest first.
REVIEWS_SHOWN = 20
_ACTIVE_ATTR = "_ftp_active_suspension"
_UNSET = object()


def active_suspension(case: Case) -> Suspension | None:
    """The case's active (not lifted) measure, or None: one query along the
    partial unique index, remembered on the case object for the request (the
    action rules ask it for each action offered)."""
    cached = getattr(case, _ACTIVE_ATTR, _UNSET)
    if cached is _UNSET:
        cached = Suspension.objects.filter(case_id=case.pk, lifted_on__isnull=True).first()
        setattr(case, _ACTIVE_ATTR, cached)
    return cached  # type: ignore[return-value]


def active_suspension_forget(case: Case) -> None:
    """Drop what ``active_suspension`` remembered (a service just changed it)."""
    if hasattr(case, _ACTIVE_ATTR):
        delattr(case, _ACTIVE_ATTR)


@dataclass(frozen=True)
class CaseSuspensions:
    """The case page's card: every measure, newest first, with its newest reviews."""

    measures: list[Suspension]
    today: dt.date

    @property
    def active(self) -> Suspension | None:
        return next((m for m in self.measures if m.lifted_on is None), None)

    @property
    def overdue(self) -> bool:
        active = self.active
        return bool(active and active.review_due_on and active.review_due_on < self.today)


def case_suspensions_for(user: Viewer, case: Case) -> CaseSuspensions | None:
    """The card for ``user``, or None when the rule hides the register from them."""
    if not access.SuspensionVisible.allows(user, case):
        return None
    reviews = SuspensionReview.objects.select_related("reviewed_by").order_by("-reviewed_on", "-id")
    measures = list(
        Suspension.objects.filter(case_id=case.pk)
        .select_related("decided_by", "recorded_by", "lifted_by")
        .prefetch_related(Prefetch("reviews", queryset=reviews))
        .order_by("-started_on", "-id")
    )
    return CaseSuspensions(measures=measures, today=timezone.localdate())


class RegisterFilter(enum.StrEnum):
    ALL = "all"
    ACTIVE = "active"
    OVERDUE = "overdue"


def register_for(
    user: Viewer, *, show: RegisterFilter = RegisterFilter.ALL
) -> QuerySet[Suspension]:
    """The trust's measures ``user`` may list, newest start first (HR advisers
    only: ``SuspensionRegisterVisible``). ``active``: not lifted; ``overdue``:
    not lifted and the review's date has passed (the partial index on
    ``review_due_on``)."""
    if not access.SuspensionRegisterVisible.allows(user):
        raise NotAllowed("Only an HR adviser can see the suspension register.")
    rows = Suspension.objects.filter(access.SuspensionVisible.q(user, "case__"))
    if show is RegisterFilter.ACTIVE:
        rows = rows.filter(lifted_on__isnull=True)
    elif show is RegisterFilter.OVERDUE:
        rows = rows.filter(Q(lifted_on__isnull=True) & Q(review_due_on__lt=timezone.localdate()))
    return (
        rows.select_related("case")
        .only(
            "id",
            "kind",
            "started_on",
            "review_due_on",
            "lifted_on",
            "case__id",
            "case__reference",
        )
        .order_by(*REGISTER_ORDER)
    )


def register_page(
    user: Viewer,
    *,
    show: RegisterFilter = RegisterFilter.ALL,
    cursor: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> KeysetPage[Suspension]:
    """One page of ``register_for`` (keyset paging: the same cost on any page)."""
    return keyset_page(
        register_for(user, show=show), order=REGISTER_ORDER, cursor=cursor, size=size
    )


def is_overdue(row: Suspension, today: dt.date) -> bool:
    return row.lifted_on is None and row.review_due_on is not None and row.review_due_on < today
