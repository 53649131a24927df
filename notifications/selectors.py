"""Reads: who is told what, and what a person sees in their list.

Recipient lookups are one query each, whatever the number of people, so
recording a notification costs the same on a large trust as on a small one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.roles import Role, holders, roles_load
from accounts.types import Actor, Viewer
from formal.models import FormalProcess
from panels import state
from panels.models import Panel
from panels.selectors import seats_prefetch
from workflow.access import SignoffIndependent
from workflow.models import Case, Step

from .models import (
    Delivery,
    DeliveryStatus,
    EmailMode,
    Kind,
    Notification,
    NotificationPreference,
)

_OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def _active() -> QuerySet[Actor]:
    return get_user_model().objects.filter(is_active=True)


_ROLE_MEMO: ContextVar[dict[Role, list[Actor]] | None] = ContextVar("ftp_role_memo", default=None)


@contextmanager
def roles_memoised() -> Iterator[None]:
    """Within the block, each role's members are read once (a sweep firing
    hundreds of notices asks for HR advisers once, not once per notice)."""
    token = _ROLE_MEMO.set({})
    try:
        yield
    finally:
        _ROLE_MEMO.reset(token)


def users_with_role(role: Role) -> list[Actor]:
    memo = _ROLE_MEMO.get()
    if memo is not None and role in memo:
        return memo[role]
    users = list(holders(role).order_by("pk"))
    if memo is not None:
        memo[role] = users
    return users


def hr_leads() -> list[Actor]:
    """HR advisers named in FTP_HR_LEAD_EMAILS, or every HR adviser when it is empty
    (the same rule as the audit alerts)."""
    hr = users_with_role(Role.HR)
    wanted = {e.lower() for e in settings.FTP_HR_LEAD_EMAILS}
    if not wanted:
        return hr
    return [u for u in hr if u.email.lower() in wanted]


def independent_decision_makers(case: Case) -> list[Actor]:
    """Decision-makers who may sign the case off: ``access.SignoffIndependent``
    (not its referrer, not on its panel), so whoever is told of a sign-off is
    whoever the engine would let take it. One query (see the batch form below).
    """
    return independent_decision_makers_many([case.pk]).get(case.pk, [])


def independent_decision_makers_many(case_ids: Iterable[int]) -> dict[int, list[Actor]]:
    """``independent_decision_makers`` for many cases at once, by case id.

    One query whatever the number of cases and decision-makers: each one's
    rule, in its query form, is a column of each case's row. (The rule also
    reads each one's roles, cached on the user: once per sweep under
    ``roles_memoised``.)
    """
    deciders = users_with_role(Role.DECISION_MAKER)
    ids = list(case_ids)
    if not deciders or not ids:
        return {}
    roles_load(deciders)  # the rule asks each one's roles: one query for them all
    columns = {
        f"may_{u.pk}": ExpressionWrapper(SignoffIndependent.q(u), output_field=BooleanField())
        for u in deciders
    }
    rows = Case.objects.filter(pk__in=ids).annotate(**columns).values_list("pk", *columns)
    return {pk: [u for u, may in zip(deciders, flags, strict=True) if may] for pk, *flags in rows}


class OpenSpell(NamedTuple):
    """What a reminder needs to know of the step spell it is about (a
    tuple: a sweep hashes a thousand of them)."""

    case_id: int
    process_id: int
    referring_manager_id: int
    step: str


def step_owners_many(spells: Collection[OpenSpell]) -> dict[OpenSpell, list[Actor]]:
    """Whoever owes each open step: for the panel's decision, whoever the
    panel is waiting on; else the task's owner, or the role whose queue it
    sits in (HR for triage and convening, the referring manager for informal
    resolution and resubmission, decision-makers for sign-off).

    A bounded number of queries however many spells (a sweep asks for
    hundreds at once): one per kind of fact, never one per spell.
    """
    owners = _panels_waiting_on([s for s in spells if s.step == "decide"])
    owners.update(_investigating([s for s in spells if s.step == Step.INVESTIGATE]))
    rest = [s for s in spells if s not in owners]
    tasks = _task_owners({s.process_id for s in rest})
    queued = [s for s in rest if s.process_id not in tasks]
    managers = _users({s.referring_manager_id for s in queued if s.step in _MANAGER_STEPS})
    signing = independent_decision_makers_many(s.case_id for s in queued if s.step == "signoff")
    hr_but: dict[int, list[Actor]] = {}  # HR but the referrer, by referrer: a few lists
    for spell in rest:
        owner = tasks.get(spell.process_id)
        if owner is not None:
            owners[spell] = [owner] if owner.is_active else []
        elif spell.step in _MANAGER_STEPS:
            owners[spell] = [managers[spell.referring_manager_id]]
        elif spell.step == "signoff":
            owners[spell] = signing.get(spell.case_id, [])
        else:
            manager = spell.referring_manager_id
            if manager not in hr_but:
                hr_but[manager] = _hr_but(manager)
            owners[spell] = hr_but[manager]
    return owners


_MANAGER_STEPS = ("resubmit", "informal")
# The steps in HR's queue: their reminders go to the case's owner, when it has one.
# The formal process's hearing and appeal are HR's to arrange and record (formal/).
HR_STEPS = ("triage", "convene", Step.HEARING.value, Step.APPEAL.value)


def _investigating(spells: list[OpenSpell]) -> dict[OpenSpell, list[Actor]]:
    """Who owes a formal investigation (formal/): its investigator, once
    named, and the case's HR owner (or, without one, HR but the referrer),
    who names the investigator and records the outcome. Two queries."""
    if not spells:
        return {}
    case_ids = {s.case_id for s in spells}
    named = dict(
        FormalProcess.objects.filter(
            case_id__in=case_ids, investigator__isnull=False, investigator__is_active=True
        ).values_list("case_id", "investigator_id")
    )
    people = _users(set(named.values()))
    case_owners = hr_case_owners(case_ids)
    owners: dict[OpenSpell, list[Actor]] = {}
    for spell in spells:
        hr = case_owners.get(spell.case_id)
        told = [hr] if hr is not None else _hr_but(spell.referring_manager_id)
        investigator = people.get(named.get(spell.case_id, 0))
        owners[spell] = [investigator, *told] if investigator is not None else told
    return owners


def hr_case_owners(case_ids: Collection[int]) -> dict[int, Actor]:
    """The active HR case owner of each case that has one (by case id), in one
    query; empty for no cases."""
    if not case_ids:
        return {}
    cases = (
        Case.objects.filter(pk__in=list(case_ids), owner__is_active=True)
        .select_related("owner")
        .only("pk", "owner")
    )
    return {c.pk: c.owner for c in cases if c.owner is not None}


def _hr_but(user_id: int) -> list[Actor]:
    return [u for u in users_with_role(Role.HR) if u.pk != user_id]


def _users(ids: set[int]) -> dict[int, Actor]:
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def _task_owners(process_ids: set[int]) -> dict[int, Actor]:
    """The owner of each process's latest open human task, when it has one
    (a task in a role's queue has none: the caller asks the role). Read as
    ids, then the few owners once: a sweep asks about a thousand processes."""
    if not process_ids:
        return {}
    rows = (
        Task.objects.filter(
            process_id__any_of=process_ids, flow_task_type="HUMAN", status__in=_OPEN
        )
        .order_by("process_id", "-created", "-id")
        .values_list("process_id", "owner_id")
    )
    latest: dict[int, int | None] = {}
    for process_id, owner_id in rows:
        latest.setdefault(process_id, owner_id)
    owners = _users({o for o in latest.values() if o is not None})
    return {pid: owners[o] for pid, o in latest.items() if o is not None}


def _panels_waiting_on(spells: list[OpenSpell]) -> dict[OpenSpell, list[Actor]]:
    """Who each case's latest panel is waiting on: HR while a seat is empty,
    the members yet to declare or give a view; left out when it waits on the
    chair's decision (the decide task's owner, asked by the caller)."""
    if not spells:
        return {}
    panels = (
        Panel.objects.filter(case_id__in={s.case_id for s in spells})
        .prefetch_related(seats_prefetch(), "decisions")
        .order_by("case_id", "-convened_at", "-id")
    )
    latest: dict[int, Panel] = {}
    for panel in panels:
        latest.setdefault(panel.case_id, panel)
    waiting: dict[OpenSpell, list[Actor]] = {}
    for spell in spells:
        found = latest.get(spell.case_id)
        who = _waiting_on(found, spell.referring_manager_id) if found is not None else None
        if who is not None:
            waiting[spell] = who
    return waiting


def _waiting_on(panel: Panel, referring_manager_id: int) -> list[Actor] | None:
    waiting = state.waiting_for(panel)
    if waiting == state.Waiting.REPLACEMENT:
        return _hr_but(referring_manager_id)
    if waiting == state.Waiting.DECISION:
        return None
    owing = {state.TODO_DECLARE, state.TODO_VIEW}
    return [
        seat.user
        for seat in state.sitting(panel)
        if seat.user.is_active and state.member_todo(panel, seat.user) in owing
    ]


def digest_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Of ``user_ids``, those who chose the daily digest for email."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), email_mode=EmailMode.DIGEST
        ).values_list("user_id", flat=True)
    )


def email_mode_for(user: Viewer) -> str:
    """How the person chose to get emails (immediate unless they chose the digest)."""
    if not user.is_authenticated:
        return EmailMode.IMMEDIATE
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref.email_mode if pref else EmailMode.IMMEDIATE


# The list's order, newest first, along the index ``notification_inbox``.
LIST_ORDER = ("-shown_at", "-id")


def notifications_for(user: Viewer) -> QuerySet[Notification]:
    """The person's delivered in-app notifications, newest first (none for
    nobody logged in)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user, shown_at__isnull=False)
        .select_related("case")
        .order_by(*LIST_ORDER)
    )


# The menu shows the unread count on every page, so it stops counting here
# (shown as "999+"): someone who never reads them must not make every page
# count their whole history.
UNREAD_SHOWN_MAX = 999


def unread_count(user: Viewer) -> int:
    """Unread notifications, counted up to ``UNREAD_SHOWN_MAX + 1`` at most."""
    if not user.is_authenticated:
        return 0
    unread = Notification.objects.filter(
        recipient=user, shown_at__isnull=False, read_at__isnull=True
    )
    return unread.order_by()[: UNREAD_SHOWN_MAX + 1].count()


def unread_label(count: int) -> str:
    """The count as shown: ``"999+"`` past the most counted."""
    return f"{UNREAD_SHOWN_MAX}+" if count > UNREAD_SHOWN_MAX else str(count)


def deliveries_failed_count() -> int:
    """Deliveries given up after ``FTP_NOTIFY_MAX_ATTEMPTS``, waiting for a
    person: the operations metric. Counted from the partial index
    ``delivery_failed``, which holds the failed rows only."""
    return Delivery.objects.filter(status=DeliveryStatus.FAILED).count()


# Bundles read at a time where the database cannot look inside JSON.
_BUNDLE_CHUNK = 500


def bundle_ids_naming(case_ids: Collection[int]) -> list[int]:
    """The ``due_steps`` bundles whose items list any of ``case_ids``.

    On PostgreSQL, JSON containment per case, each answered by the partial
    GIN index ``notification_bundle_items`` (notifications 0007), so the cost
    follows the bundles found, not the notification log. SQLite (the local
    demo) cannot look inside JSON: there the bundles are read in chunks and
    checked here."""
    wanted = set(case_ids)
    if not wanted:
        return []
    bundles = Notification.objects.filter(kind=Kind.DUE_STEPS)
    if connection.features.supports_json_field_contains:
        naming = Q()
        for case_id in sorted(wanted):
            naming |= Q(items__contains=[{"case": case_id}])
        return list(bundles.filter(naming).order_by("pk").values_list("pk", flat=True))
    return [
        pk
        for pk, items in bundles.order_by("pk")
        .values_list("pk", "items")
        .iterator(chunk_size=_BUNDLE_CHUNK)
        if any(isinstance(item, dict) and item.get("case") in wanted for item in items)
    ]
