"""Reads: who is told what, and what a person sees in their list.

Recipient lookups are one query each, whatever the number of people, so
recording a notification costs the same on a large trust as on a small one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.roles import Role
from accounts.types import Actor, Viewer
from panels import state
from panels.models import Panel
from panels.selectors import seats_prefetch
from workflow.access import SignoffIndependent
from workflow.models import Case

from .models import EmailMode, Notification, NotificationPreference

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
    users = list(_active().filter(groups__name=role.group_name).distinct().order_by("pk"))
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
    whoever the engine would let take it.

    One query for the case whatever the number of decision-makers: each one's
    rule, in its query form, is a column of the case's row. (The rule also
    reads each one's roles, cached on the user: once per sweep under
    ``roles_memoised``.)
    """
    deciders = users_with_role(Role.DECISION_MAKER)
    if not deciders:
        return []
    columns = {
        f"may_{u.pk}": ExpressionWrapper(SignoffIndependent.q(u), output_field=BooleanField())
        for u in deciders
    }
    row = Case.objects.filter(pk=case.pk).values(**columns).first() or {}
    return [u for u in deciders if row.get(f"may_{u.pk}")]


def step_owners(case: Case, step: str) -> list[Actor]:
    """Whoever owes the open ``step``: for the panel's decision, whoever the
    panel is waiting on; else the task's owner, or the role whose queue it
    sits in (HR for triage and convening, decision-makers for sign-off)."""
    if step == "decide":
        waiting = panel_waiting_on(case)
        if waiting is not None:
            return waiting
    task = (
        Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN", status__in=_OPEN)
        .select_related("owner")
        .order_by("-created", "-id")
        .first()
    )
    if task is not None and task.owner is not None:
        return [task.owner] if task.owner.is_active else []
    if step in ("resubmit", "informal"):
        return [case.referring_manager]
    if step == "signoff":
        return independent_decision_makers(case)
    return [u for u in users_with_role(Role.HR) if u.pk != case.referring_manager_id]


def panel_waiting_on(case: Case) -> list[Actor] | None:
    """Who the convened panel is waiting on, or None to ask the decide task:
    HR while a seat is empty, the members yet to declare or give a view, and
    only then the chair (the task's owner)."""
    panel = (
        Panel.objects.filter(case=case)
        .prefetch_related(seats_prefetch(), "decisions")
        .order_by("-convened_at", "-id")
        .first()
    )
    if panel is None:
        return None
    waiting = state.waiting_for(panel)
    if waiting == state.Waiting.REPLACEMENT:
        return [u for u in users_with_role(Role.HR) if u.pk != case.referring_manager_id]
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


def notifications_for(user: Viewer) -> QuerySet[Notification]:
    """The person's delivered in-app notifications, newest first (none for
    nobody logged in)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=user, shown_at__isnull=False)
        .select_related("case")
        .order_by("-shown_at", "-id")
    )


def unread_count(user: Viewer) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        recipient=user, shown_at__isnull=False, read_at__isnull=True
    ).count()
