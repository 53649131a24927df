"""Reads of the speak-up route, each through ``speakup.access``.

Lists are keyset pages (``core.paging``) newest first, along the trust's
``concern_received`` index. Whatever a page shows of a concern comes from
here: the guardians' list and a concern's page (``Casework``), a reporter's
own concerns (``OwnConcern``) and the one concern a case key opened
(``KeyHolder``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from core.errors import NotAllowed, NotFound
from core.paging import Cursor, KeysetPage, keyset_page
from staff.models import OrgUnit

from .access import (
    Casework,
    ConcernVisible,
    GuardianNameVisible,
    KeyHolder,
    MessageVisible,
    OwnConcern,
    ReporterNameVisible,
)
from .models import Concern, ConcernMessage, Source
from .services import CASEWORK_REFUSAL

if TYPE_CHECKING:
    from accounts.types import Viewer

ORDER = ("-received_on", "-id")

# The list's status filter.
AWAITING, OPEN, CLOSED, IMPORTED = "awaiting", "open", "closed", "imported"
STATUSES = (
    (AWAITING, "Awaiting acknowledgement"),
    (OPEN, "Open (acknowledged)"),
    (CLOSED, "Closed"),
    (IMPORTED, "Imported from the guardian's log"),
)


@dataclass(frozen=True)
class Filters:
    status: str = ""
    overdue: bool = False
    route: str = ""
    topic: str = ""


def _status_q(status: str) -> Q:
    raised = Q(source=Source.RAISED)
    return {
        AWAITING: raised & Q(acknowledged_at__isnull=True, closed_at__isnull=True),
        OPEN: raised & Q(acknowledged_at__isnull=False, closed_at__isnull=True),
        CLOSED: raised & Q(closed_at__isnull=False),
        IMPORTED: Q(source=Source.IMPORTED),
    }.get(status, Q())


def overdue_q(today: dt.date) -> Q:
    """Raised, not acknowledged, and its two working days have passed."""
    return Q(
        source=Source.RAISED,
        acknowledged_at__isnull=True,
        closed_at__isnull=True,
        acknowledge_by__lt=today,
    )


def casework_list(viewer: Viewer, filters: Filters, *, today: dt.date) -> QuerySet[Concern]:
    """The trust's concerns for a guardian, filtered; ``NotAllowed`` for anyone else."""
    if not Casework.allows(viewer):
        raise NotAllowed(CASEWORK_REFUSAL)
    qs = Concern.objects.filter(Casework.q(viewer) & ConcernVisible.q(viewer))
    qs = qs.filter(_status_q(filters.status))
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
    if filters.route:
        qs = qs.filter(route=filters.route)
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    return qs.select_related("org_unit")


def casework_page(
    viewer: Viewer, filters: Filters, *, today: dt.date, cursor: Cursor | None, size: int
) -> KeysetPage[Concern]:
    return keyset_page(
        casework_list(viewer, filters, today=today), order=ORDER, cursor=cursor, size=size
    )


@dataclass(frozen=True)
class Thread:
    """One concern as its viewer may see it: the concern, its messages, and
    the names they may read (blank where they may not)."""

    concern: Concern
    messages: list[ConcernMessage]
    reporter_name: str
    signed_by: dict[int, str]  # message id -> the guardian's name, where signed

    @property
    def rows(self) -> list[tuple[ConcernMessage, str]]:
        """Each message with the name it may show (blank: "a guardian", or the reporter)."""
        return [(m, self.signed_by.get(m.pk, "")) for m in self.messages]

    @property
    def open(self) -> bool:
        return self.concern.closed_at is None


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user is not None else ""


def _thread(viewer: Viewer | KeyHolder, concern: Concern) -> Thread:
    messages = list(
        ConcernMessage.objects.filter(MessageVisible.q(viewer), concern=concern)
        .select_related("guardian")
        .order_by("created_at", "id")
    )
    for message in messages:
        message.concern = concern
    signed = {m.pk: _name(m.guardian) for m in messages if GuardianNameVisible.allows(viewer, m)}
    reporter = _name(concern.reporter) if ReporterNameVisible.allows(viewer, concern) else ""
    return Thread(concern, messages, reporter, signed)


def casework_get(viewer: Viewer, concern_id: int) -> Thread:
    """A concern's page for a guardian: ``NotAllowed`` for anyone else
    before anything is read, ``NotFound`` for a concern not in the trust."""
    if not Casework.allows(viewer):
        raise NotAllowed(CASEWORK_REFUSAL)
    concern = (
        Concern.objects.filter(ConcernVisible.q(viewer), pk=concern_id)
        .select_related("org_unit", "reporter", "acknowledged_by")
        .first()
    )
    if concern is None:
        raise NotFound("No such concern.")
    return _thread(viewer, concern)


def mine_page(viewer: Viewer, *, cursor: Cursor | None, size: int) -> KeysetPage[Concern]:
    """The signed-in reporter's own open and confidential concerns."""
    qs = Concern.objects.filter(OwnConcern.q(viewer))
    return keyset_page(qs, order=ORDER, cursor=cursor, size=size)


def mine_get(viewer: Viewer, concern_id: int) -> Thread:
    """One of the reporter's own concerns (``NotFound`` for any other)."""
    concern = (
        Concern.objects.filter(OwnConcern.q(viewer), pk=concern_id)
        .select_related("org_unit", "reporter")
        .first()
    )
    if concern is None:
        raise NotFound("No such concern.")
    return _thread(viewer, concern)


def keyholder_get(holder: KeyHolder) -> Thread:
    """The one concern a case key opened, and its messages."""
    concern = Concern.objects.filter(ConcernVisible.q(holder)).first()
    if concern is None:
        raise NotFound("No such concern.")
    return _thread(holder, concern)


def org_units() -> QuerySet[OrgUnit]:
    """The trust's departments and ICSUs, to choose from."""
    return OrgUnit.objects.filter(kind__in=["department", "icsu"]).order_by("kind", "name")
