"""Reads for panels: the pool as the rules see it, and the panel dashboards.

Loading the pool costs the same few queries however large it is: the users
with their pool record and employee record (one query), their networks (one),
their load (one aggregate), and the line-management tree (one query of two
integer columns). Everything else is computed in Python by ``panels.rules``
and ``panels.suggest``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.roles import GROUP_NAMES, Role
from accounts.types import Actor, Viewer
from staff.models import Employee, OrgUnit
from workflow.models import Case, Stage

from . import state
from .models import Declaration, Panel, PanelMembership, PanelView
from .rules import CaseFacts, Member

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Cases whose panel still has work that may come back to it.
OPEN_PANEL_STAGES = [Stage.PANEL, Stage.SIGNOFF]


# --- the pool, as plain facts -------------------------------------------------------


def line_managers() -> dict[int, int | None]:
    """Every employee's line manager: the whole tree in one query of two columns."""
    return dict(Employee.objects.values_list("pk", "line_manager_id"))


def chain(employee_id: int | None, managers: Mapping[int, int | None]) -> frozenset[int]:
    """The employee ids above ``employee_id`` in the line-management chain."""
    above: list[int] = []
    node = managers.get(employee_id) if employee_id is not None else None
    while node is not None and node not in above and node != employee_id:
        above.append(node)
        node = managers.get(node)
    return frozenset(above)


def icsu_of(unit: OrgUnit | None) -> int | None:
    if unit is None:
        return None
    if unit.kind == OrgUnit.Kind.ICSU:
        return unit.pk
    if unit.kind == OrgUnit.Kind.DEPARTMENT:
        return unit.parent_id
    return None  # trust level: in no ICSU


def case_facts(
    case: Case, *, managers: Mapping[int, int | None] | None = None, today: dt.date | None = None
) -> CaseFacts:
    """The case as the rules see it. Uses the org unit recorded at referral;
    the line-management chain is today's."""
    managers = line_managers() if managers is None else managers
    unit = OrgUnit.objects.only("pk", "kind", "parent_id").get(pk=case.employee_org_unit_id)
    declared = Declaration.objects.filter(membership__panel__case=case, no_conflict=False)
    return CaseFacts(
        referrer_id=case.referring_manager_id,
        employee_id=case.employee_id,
        unit_id=unit.pk,
        icsu_id=icsu_of(unit),
        managers=chain(case.employee_id, managers),
        today=today or timezone.localdate(),
        declared_conflicts=frozenset(declared.values_list("membership__user_id", flat=True)),
    )


def members(
    users: QuerySet[Actor], *, managers: Mapping[int, int | None] | None = None
) -> list[Member]:
    """``users`` as the rules see them, with their load, in four queries."""
    managers = line_managers() if managers is None else managers
    in_panel_group = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name=GROUP_NAMES[Role.PANEL]
    )
    rows = (
        users.select_related("pool_member", "employee__org_unit")
        .prefetch_related("pool_member__networks")
        .annotate(has_panel_group=Exists(in_panel_group))
        .order_by("pk")
    )
    load = _load(users)
    return [_member(user, managers, load.get(user.pk, (0, None))) for user in rows]


def _load(users: QuerySet[Actor]) -> dict[int, tuple[int, dt.date | None]]:
    open_seat = Q(stood_down_at__isnull=True, panel__case__stage__in=OPEN_PANEL_STAGES)
    rows = (
        PanelMembership.objects.filter(user__in=users.values("pk"))
        .values("user_id")
        .annotate(
            open=Count("panel__case", filter=open_seat, distinct=True),
            last=Max("panel__convened_at"),
        )
    )
    return {
        r["user_id"]: (r["open"], timezone.localdate(r["last"]) if r["last"] else None)
        for r in rows
    }


class _InPanelGroup(TypedDict):
    """What ``members`` annotates each user with."""

    has_panel_group: bool


def _member(
    user: WithAnnotations[Actor, _InPanelGroup],
    managers: Mapping[int, int | None],
    load: tuple[int, dt.date | None],
) -> Member:
    pool = getattr(user, "pool_member", None)
    employee = getattr(user, "employee", None)
    return Member(
        user_id=user.pk,
        name=user.get_full_name() or user.get_username(),
        panel_role=bool(user.is_active and user.has_panel_group),
        in_pool=pool is not None,
        employee_id=employee.pk if employee else None,
        unit_id=employee.org_unit_id if employee else None,
        icsu_id=icsu_of(employee.org_unit) if employee else None,
        band=employee.band if employee else "",
        managers=chain(employee.pk, managers) if employee else frozenset(),
        independent_until=pool.independent_trained_until if pool else None,
        away_until=pool.away_until if pool else None,
        networks=frozenset(n.name for n in pool.networks.all()) if pool else frozenset(),
        open_panels=load[0],
        last_sat=load[1],
    )


def pool_members(*, managers: Mapping[int, int | None] | None = None) -> list[Member]:
    """Everyone in the panel pool."""
    users = get_user_model().objects.filter(pool_member__isnull=False)
    return members(users, managers=managers)


def members_by_id(ids: Iterable[int], *, managers: Mapping[int, int | None]) -> list[Member]:
    """The people named, in the order named; an unknown id is nobody's member."""
    wanted = list(dict.fromkeys(ids))
    found = {
        m.user_id: m
        for m in members(get_user_model().objects.filter(pk__in=wanted), managers=managers)
    }
    return [found.get(i) or Member(user_id=i, name=f"user {i}", panel_role=False) for i in wanted]


# --- panels on screen -----------------------------------------------------------------


def seats_prefetch(prefix: str = "") -> Prefetch[str]:
    """A panel's seats with each member, declaration and views: one query each level."""
    return Prefetch(
        f"{prefix}memberships",
        queryset=PanelMembership.objects.select_related("user", "declaration").prefetch_related(
            Prefetch("views", queryset=PanelView.objects.order_by("recorded_at", "id"))
        ),
    )


@dataclass(frozen=True)
class Seat:
    """One of my seats, with what the panel needs from me."""

    membership: PanelMembership
    panel: Panel
    case: Case
    todo: str
    open: bool


def my_panels(user: Viewer) -> list[Seat]:
    """Every panel ``user`` was convened on, open cases first, newest first
    (none for nobody logged in)."""
    if not user.is_authenticated:
        return []
    rows = (
        PanelMembership.objects.filter(user=user)
        .select_related("panel__case", "panel__chair")
        .prefetch_related(seats_prefetch("panel__"), "panel__decisions")
        .order_by("-panel__convened_at", "-pk")
    )
    seats = [
        Seat(
            membership=m,
            panel=m.panel,
            case=m.panel.case,
            todo=state.member_todo(m.panel, user) if m.panel.case.stage == Stage.PANEL else "",
            open=m.panel.case.stage in OPEN_PANEL_STAGES,
        )
        for m in rows
    ]
    return sorted(seats, key=lambda s: not s.open)


def panel_work_for(user: Viewer) -> list[Seat]:
    """The panels waiting for something from ``user`` (their inbox entries)."""
    return [s for s in my_panels(user) if s.todo in state.ACTIONABLE]


@dataclass(frozen=True)
class PanelRow:
    case: Case
    panel: Panel | None
    sitting: int
    declared: int
    views: int
    views_needed: int


def panels_dashboard() -> dict[str, list[PanelRow]]:
    """Cases at the panel stage, by what they wait for: HR's view of all panels."""
    cases = (
        Case.objects.filter(stage=Stage.PANEL)
        .select_related("employee_org_unit")
        .prefetch_related(
            Prefetch(
                "panels",
                queryset=Panel.objects.select_related("chair").prefetch_related(
                    seats_prefetch(), "decisions"
                ),
            )
        )
        .order_by("updated_at", "pk")
    )
    groups: dict[str, list[PanelRow]] = {"convene": [], **{w.value: [] for w in state.Waiting}}
    for case in cases:
        panels = list(case.panels.all())
        panel = max(panels, key=lambda p: (p.convened_at, p.pk)) if panels else None
        if panel is None:
            groups["convene"].append(PanelRow(case, None, 0, 0, 0, 0))
            continue
        sitting = state.sitting(panel)
        row = PanelRow(
            case=case,
            panel=panel,
            sitting=len(sitting),
            declared=sum(1 for m in sitting if state.declaration(m) is not None),
            views=state.views_recorded(panel),
            views_needed=state.views_needed(panel),
        )
        groups[state.waiting_for(panel).value].append(row)
    return groups


def panels_to_fill() -> list[PanelRow]:
    """Panels with a seat empty after a declared conflict: HR's inbox entries."""
    return panels_dashboard()[state.Waiting.REPLACEMENT.value]
