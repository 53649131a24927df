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
from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from accounts.types import Actor, Viewer, as_actor
from core.paging import Cursor, KeysetPage, keyset_page
from staff.models import Employee, OrgUnit
from tenancy.context import trust_id_required
from workflow.models import Case, Stage

from . import state
from .models import Declaration, Panel, PanelMembership, PanelView
from .rules import CaseFacts, Member, PanelRules

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
    in_panel_group = Membership.objects.filter(
        user_id=OuterRef("pk"), role=Role.PANEL.value, trust_id=trust_id_required()
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


# Open seats a member is shown at most: a member sits on a handful of open
# panels at a time, so this bounds the page without ever hiding real work.
OPEN_SEATS_MAX = 100
PAGE_SIZE = 25


def _with_panels(rows: QuerySet[PanelMembership]) -> QuerySet[PanelMembership]:
    """``rows`` with their panels' seats, declarations, views and decisions."""
    return rows.select_related("panel__case", "panel__chair").prefetch_related(
        seats_prefetch("panel__"), "panel__decisions"
    )


def _seat(m: PanelMembership, user: Actor) -> Seat:
    """The seat with what its panel needs from ``user`` (``state.member_todo``)."""
    at_panel = m.panel.case.stage == Stage.PANEL
    return Seat(
        membership=m,
        panel=m.panel,
        case=m.panel.case,
        todo=state.member_todo(m.panel, user) if at_panel else "",
        open=m.panel.case.stage in OPEN_PANEL_STAGES,
    )


def my_open_seats(user: Viewer) -> list[Seat]:
    """My seats on cases whose panel still has work (panel or sign-off stage),
    newest first: bounded by the open cases, not by my history."""
    if not user.is_authenticated:
        return []
    rows = PanelMembership.objects.filter(user=user, panel__case__stage__in=OPEN_PANEL_STAGES)
    ordered = _with_panels(rows).order_by("-panel__convened_at", "-pk")[:OPEN_SEATS_MAX]
    return [_seat(m, as_actor(user)) for m in ordered]


def my_past_seats(user: Viewer, *, cursor: Cursor | None = None) -> KeysetPage[Seat]:
    """One page of my seats on cases whose panel is over, newest seat first.

    Paged by the seat's id (a seat is made when its member is convened or
    named as a replacement, so a newer seat has a larger id) along the index
    on ``(user, id)``: a page reads a page of seats however many panels I sat on."""
    if not user.is_authenticated:
        return KeysetPage(rows=[], newer=None, older=None)
    past = PanelMembership.objects.filter(user=user).exclude(
        panel__case__stage__in=OPEN_PANEL_STAGES
    )
    page = keyset_page(_with_panels(past), order=("-id",), cursor=cursor, size=PAGE_SIZE)
    rows = [_seat(m, as_actor(user)) for m in page.rows]
    return KeysetPage(rows=rows, newer=page.newer, older=page.older)


def panel_work_for(user: Viewer, seats: list[Seat] | None = None) -> list[Seat]:
    """The panels waiting for something from ``user`` (their inbox entries):
    only their open seats are read, never their history (``seats``: those
    already read by ``my_open_seats``)."""
    seats = my_open_seats(user) if seats is None else seats
    return [s for s in seats if s.todo in state.ACTIONABLE]


def next_action(*, step: str, title: str, seats: list[Seat], case_id: int) -> str:
    """What a person must do next on a case, said once: an inbox task's title,
    except the chair's ``decide`` step, which waits on the panel (declarations,
    views) and so says what the panel needs from them now, the words of
    "Panel work waiting for you" (``state.member_todo``). ``seats``: their
    open seats (``my_open_seats``)."""
    if step != "decide":
        return title
    todo = next((s.todo for s in seats if s.case.pk == case_id and s.todo), "")
    return todo or title


# --- HR's panels dashboard: what each panel waits for, in SQL ------------------------


def _count(rows: QuerySet[Any]) -> Coalesce:
    """``COUNT(*)`` of ``rows`` as a scalar subquery (0 when none)."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_waiting(panels: QuerySet[Panel], rules: PanelRules | None = None) -> QuerySet[Panel]:
    """``panels`` annotated with what ``state.waiting_for`` says of each
    (``waiting``) and the figures the dashboard shows: ``n_sitting``,
    ``n_declared``, ``n_views`` (``state.views_recorded``) and ``n_needed``
    (``state.views_needed``).

    ``panels.state`` stays the one definition of what a panel waits for; this
    is its query form, so a page can group, count and page panels in the
    database. ``tests/panels/test_waiting_sql.py`` checks over generated
    panels that the two agree."""
    quorum = (rules or PanelRules.current()).quorum
    seats = PanelMembership.objects.filter(panel=OuterRef("pk"))
    sitting = seats.filter(stood_down_at__isnull=True)
    # A seat stood down stays vacant until a seat on the same panel replaces it.
    filled = PanelMembership.objects.filter(panel=OuterRef(OuterRef("pk")), replaces=OuterRef("pk"))
    vacancy = seats.filter(stood_down_at__isnull=False).exclude(Exists(filled))
    viewed = PanelView.objects.filter(membership=OuterRef("pk"))
    n_sitting = _count(sitting)
    needed = n_sitting if quorum == 0 else Least(Value(quorum), n_sitting)
    return panels.annotate(
        n_sitting=n_sitting,
        n_declared=_count(sitting.filter(declaration__isnull=False)),
        n_views=_count(sitting.filter(Exists(viewed))),
        n_needed=needed,
    ).annotate(
        waiting=SqlCase(
            When(
                Q(Exists(vacancy)) | ~Q(Exists(sitting.filter(user=OuterRef("chair")))),
                then=Value(state.Waiting.REPLACEMENT.value),
            ),
            When(
                Exists(sitting.filter(declaration__isnull=True)),
                then=Value(state.Waiting.DECLARATIONS.value),
            ),
            When(n_views__lt=F("n_needed"), then=Value(state.Waiting.VIEWS.value)),
            default=Value(state.Waiting.DECISION.value),
            output_field=CharField(),
        )
    )


def current_panels(cases: QuerySet[Case]) -> QuerySet[Panel]:
    """The latest panel (``state.current_panel``) of each of ``cases``."""
    later = Panel.objects.filter(case=OuterRef("case")).filter(
        Q(convened_at__gt=OuterRef("convened_at"))
        | Q(convened_at=OuterRef("convened_at"), pk__gt=OuterRef("pk"))
    )
    return Panel.objects.filter(case__in=cases).exclude(Exists(later))


CONVENE = "convene"
WAITING = ("waiting",)  # with_waiting's annotation, by name


@dataclass(frozen=True)
class PanelRow:
    case: Case
    panel: Panel | None
    sitting: int
    declared: int
    views: int
    views_needed: int


@dataclass(frozen=True)
class PanelGroup:
    """One group of HR's dashboard: its cases waiting for the same thing,
    ``count`` in all, one page of them in ``rows``."""

    key: str
    label: str
    count: int
    number: int
    pages: int
    rows: list[PanelRow]

    @property
    def more(self) -> int:
        """Cases in the group beyond this page's."""
        return self.count - len(self.rows)


def panel_group_keys() -> list[tuple[str, str]]:
    """The dashboard's groups in the order the work happens, with their headings."""
    return [(CONVENE, "Waiting to be convened"), *((w.value, w.label) for w in state.Waiting)]


def _at_panel() -> QuerySet[Case]:
    return Case.objects.filter(stage=Stage.PANEL)


def _to_convene() -> QuerySet[Case]:
    return _at_panel().exclude(Exists(Panel.objects.filter(case=OuterRef("pk"))))


def _waiting_ids() -> dict[str, list[int]]:
    """The current panel of every case at the panel stage, by what it waits
    for, longest-unchanged first: panel ids only, in one query over the open
    panel-stage cases (a few hundred at most, however long the history)."""
    groups: dict[str, list[int]] = {w.value: [] for w in state.Waiting}
    rows = (
        with_waiting(current_panels(_at_panel()))
        .order_by("case__updated_at", "case_id")
        .values_list("pk", *WAITING)
    )
    for pk, waiting in rows:
        groups[waiting].append(pk)
    return groups


def _page_of(count: int, number: int | None) -> tuple[int, int, int]:
    """(page number, pages, first row) for a page asked for by number; a page
    past the last is the last."""
    pages = max(1, -(-count // PAGE_SIZE))
    number = min(max(1, number or 1), pages)
    return number, pages, (number - 1) * PAGE_SIZE


def _panel_rows(ids: list[int]) -> dict[int, PanelRow]:
    """The rows for these panels, with the figures they show, in one query."""
    panels = with_waiting(Panel.objects.filter(pk__in=ids)).select_related(
        "case__employee_org_unit", "case__owner", "chair"
    )
    return {p.pk: _row(p) for p in panels}


def _row(panel: Panel) -> PanelRow:
    figures: Any = panel  # the annotations with_waiting adds
    return PanelRow(
        case=panel.case,
        panel=panel,
        sitting=figures.n_sitting,
        declared=figures.n_declared,
        views=figures.n_views,
        views_needed=figures.n_needed,
    )


def panels_dashboard(
    pages: Mapping[str, int] | None = None, *, only: str | None = None
) -> list[PanelGroup]:
    """HR's view of all panels: every group (or ``only`` the one named) with
    its count and one page of its cases (``pages`` names the page wanted per
    group; the first otherwise), oldest-updated first.

    Four queries whatever the number of panels: the convene group's count
    and page, every current panel's group (ids only), and the shown rows."""
    pages = pages or {}
    keys = [(k, label) for k, label in panel_group_keys() if only in (None, k)]
    waiting = _waiting_ids()
    wanted: dict[str, tuple[int, int, list[int]]] = {}
    for key, ids in waiting.items():
        number, of, start = _page_of(len(ids), pages.get(key))
        wanted[key] = (number, of, ids[start : start + PAGE_SIZE])
    shown = [i for key, _ in keys if key != CONVENE for i in wanted[key][2]]
    rows = _panel_rows(shown) if shown else {}
    groups: list[PanelGroup] = []
    for key, label in keys:
        if key == CONVENE:
            groups.append(_convene_group(label, pages.get(key)))
            continue
        number, of, ids = wanted[key]
        groups.append(PanelGroup(key, label, len(waiting[key]), number, of, [rows[i] for i in ids]))
    return groups


def _convene_group(label: str, number: int | None) -> PanelGroup:
    total = _to_convene().count()
    number, pages, start = _page_of(total, number)
    cases = (
        _to_convene()
        .select_related("employee_org_unit", "owner")
        .order_by("updated_at", "pk")[start : start + PAGE_SIZE]
    )
    rows = [PanelRow(case, None, 0, 0, 0, 0) for case in cases]
    return PanelGroup(CONVENE, label, total, number, pages, rows)


def panels_to_fill() -> PanelGroup:
    """Panels with a seat empty after a declared conflict: HR's inbox entries
    (the first page; the Panels page has the rest)."""
    return panels_dashboard(only=state.Waiting.REPLACEMENT.value)[0]
