"""Reads of the audit log for the explorer: one case's path, and search across cases.

They live with the case engine, not in ``audit``, because what a person may
read of the log is decided by the engine's access rules (``workflow.access``);
the log itself sits below the engine and knows nothing of cases' rules.

Only HR advisers and decision-makers explore the log (README: they audit
every case's path). Query counts stay constant as the log grows: related
rows come in the same query and pages are sliced in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Subquery
from django.db.models.query import ModelIterable
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Viewer
from audit.models import AuditEvent, EventType, private_actions
from audit.timeline import StageStay, stage_stays
from core.errors import NotAllowed, NotFound
from tenancy.policy import trust_policy

from .access import EventReasonVisible, Shown, ShownEvent, shown_event, shown_for
from .models import Case

REFUSAL = "Only HR advisers and decision-makers can explore the audit log."
# Events a reminder system sends; the timeline marks them out.
NUDGES = frozenset({EventType.REMINDER_SENT.value, EventType.ESCALATION_SENT.value})


def can_explore(user: Viewer) -> bool:
    return has_role(user, Role.HR, Role.DECISION_MAKER)


def _require_explorer(user: Viewer) -> None:
    if not can_explore(user):
        raise NotAllowed(REFUSAL)


# The payload keys that hold people's user ids (a panel's members and chair,
# the members a replacement fills in for, a notice's recipient, the case
# owner set at triage, an owner change's old and new owners, and the person
# a delegate acted for).
PEOPLE_KEYS = ("members", "chair", "replacing", "recipient", "owner", "from", "to", "on_behalf_of")


@dataclass
class CaseTimeline:
    case: Case
    events: list[ShownEvent]
    stays: list[StageStay]
    # The names of the people the events' payloads name by id, where the viewer
    # may see who is involved (``access.Shown.PEOPLE``); empty otherwise.
    names: dict[int, str] = field(default_factory=dict)

    @property
    def nudges(self) -> list[ShownEvent]:
        return [e for e in self.events if e.action in NUDGES]


def case_timeline_for(user: Viewer, case_id: int) -> CaseTimeline:
    """Every event on one case, oldest first, and its stays against the limits."""
    _require_explorer(user)
    case = Case.objects.select_related("process", "employee_org_unit").filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case.")
    rows = AuditEvent.objects.filter(case=case).select_related("actor").order_by("seq")
    # Each reason as access.EventReasonVisible allows: a conflict's is HR's alone.
    events = [shown_event(user, e) for e in rows]
    policy = trust_policy()
    stays = stage_stays(
        events,
        now=timezone.now(),
        limits=policy.stage_time_limits,
        region=policy.bank_holiday_region,
    )
    return CaseTimeline(
        case=case, events=events, stays=stays, names=people_named(user, case, events)
    )


def people_named(user: Viewer, case: Case, events: Iterable[ShownEvent]) -> dict[int, str]:
    """The full name (else the username) of each person ``events`` name by id
    in their payloads, in one query, and only where ``user`` may see who is
    involved in ``case`` (``access.shown_for``): nobody's name otherwise."""
    if Shown.PEOPLE not in shown_for(user, case):
        return {}
    ids = {i for e in events for i in _user_ids(e.payload)}
    if not ids:
        return {}
    people = get_user_model().objects.filter(pk__in=ids).only("first_name", "last_name", "username")
    return {p.pk: p.get_full_name() or p.get_username() for p in people}


def _user_ids(payload: dict[str, Any]) -> Iterator[int]:
    for key in PEOPLE_KEYS:
        value = payload.get(key)
        for item in value if isinstance(value, list) else [value]:
            # bool is an int too: never a person.
            if isinstance(item, int) and not isinstance(item, bool):
                yield item


# The search's order, newest first: by time, then id (unique, never null: an
# event waiting to be chained has no ``seq`` yet), so a page is read along an
# index on ``at`` (``core.paging``), and a date range far back starts where
# the range ends instead of walking every newer event.
SEARCH_ORDER = ("-at", "-id")


@dataclass(frozen=True)
class EventFilters:
    """What the explorer's search form asks for; blank means any."""

    case: str = ""
    actor: str = ""
    action: str = ""
    stage: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_payload(self) -> dict[str, str]:
        """The filters that were set, as text (for the export's audit event)."""
        return {k: str(v) for k, v in asdict(self).items() if v not in ("", None)}


def event_search(user: Viewer, filters: EventFilters) -> QuerySet[AuditEvent]:
    """Events matching ``filters``, newest first, each ``reason`` as ``user``
    may read it (``access.EventReasonVisible``, in the query): the rows'
    reasons are replaced before anything (a page, an export) sees them."""
    _require_explorer(user)
    qs = AuditEvent.objects.select_related("case", "actor").annotate(
        shown_reason=EventReasonVisible.shown_reason(user)
    )
    qs._iterable_class = _ShownReasons
    # Freedom to Speak Up's events are the guardians' alone (speakup/).
    qs = qs.exclude(action__in=sorted(private_actions()))
    # The case and the person are looked up first, each by itself, and the
    # events then by their ids: a condition on the joined row (``UPPER(...)``)
    # would leave PostgreSQL walking the whole log for it.
    if filters.case:
        # References are issued upper case (FTP-2026-00001): the unique index serves them.
        case = Case.objects.filter(reference=filters.case.strip().upper()).values("pk")[:1]
        qs = qs.filter(case_id=Subquery(case))
    if filters.actor:
        # Read first (a username matches one person, or a few differing in
        # case): with their ids as constants the index on (actor, at) serves
        # the page in order, which a subquery's semi-join would not.
        actors = get_user_model().objects.filter(username__iexact=filters.actor.strip())
        qs = qs.filter(actor_id__in=list(actors.values_list("pk", flat=True)))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.stage:
        qs = qs.filter(Q(from_stage=filters.stage) | Q(to_stage=filters.stage))
    # Whole local days, as aware bounds, so the index on ``at`` serves them.
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by(*SEARCH_ORDER)


class _ShownReasons(ModelIterable[AuditEvent]):
    """Rows whose ``reason`` is the ``shown_reason`` annotation: blank for a
    conflict's reason the viewer may not read, and blank if the annotation is
    missing. These rows are for reading only and never saved."""

    def __iter__(self) -> Iterator[AuditEvent]:
        for event in super().__iter__():
            event.reason = getattr(event, "shown_reason", "")
            yield event


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
