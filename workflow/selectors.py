"""Reads: every list and page asks here, so scoping is written once.

Query counts stay constant as cases grow: lists select their related rows
in the same query, and the case page prefetches each related table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.delegation import delegators_of
from accounts.types import Viewer, as_actor
from audit.models import AuditEvent
from audit.services import personal_data_access_record
from core.errors import NotFound
from tenancy.context import current_trust_id

from . import access
from .engine import active_nodes
from .flows import ReferralFlow
from .models import Case, CaseStep
from .participants import participants
from .rules import Action, available_actions


def open_step_due_on(case_ref: str) -> Subquery:
    """The due date of the case's open step (``CaseStep``), as a subquery to
    annotate a list with: one query per page however many rows."""
    return Subquery(
        CaseStep.objects.filter(case=OuterRef(case_ref), left_at__isnull=True).values("due_on")[:1]
    )


# The orders the lists are paged in (``core.paging``), each served by an index
# (docs/performance.md): the case list newest first, the inbox oldest first.
CASE_LIST_ORDER = ("-submitted_at", "-id")
INBOX_ORDER = ("created", "id")

# The case list's other orders, by the name its links carry (``?sort=``; a
# leading "-" reverses): each is model columns ending in the unique id, as
# keyset paging needs, and each is served by an index (``case_submitted``,
# the trust's unique references, and migration 0012's ``case_employee_name``).
CASE_LIST_SORTS: dict[str, tuple[str, ...]] = {
    "submitted": ("submitted_at", "id"),
    "-submitted": CASE_LIST_ORDER,
    "reference": ("reference", "id"),
    "-reference": ("-reference", "-id"),
    "employee": ("employee_name", "id"),
    "-employee": ("-employee_name", "-id"),
}
CASE_LIST_DEFAULT_SORT = "-submitted"
# Longer text is not a name, a reference or a staff number.
CASE_SEARCH_MAX_LENGTH = 100


# More users than this matching a search's text (a letter or two): their
# cases are matched by a subquery rather than by a list of ids.
CASE_SEARCH_MAX_MANAGERS = 500


def case_search_q(user: Viewer, text: str, *, close: bool = False) -> Q:
    """Cases whose reference, employee's name or staff number, or referring
    manager's name or username contains ``text``: a narrowing of a list
    already scoped by ``access.CaseVisible``, never a scope of its own.

    The staff number is one of a case's details (``access.Shown``): it is
    matched only on cases whose details ``user`` may read
    (``access.DetailsVisible``), so a search cannot tell a panel member yet
    to declare whose number a case carries. The rest is shown on every row.

    ``close`` (PostgreSQL only): cases whose employee's name has a word close
    to ``text`` instead (``pg_trgm`` word similarity, ``%>``: "Okonkow"
    finds "Grace Okonkwo"), for when nothing contains it
    (``case_list_for``). Both are answered by migration 0012's trigram index.
    """
    text = " ".join(text.split())
    if close:
        # Imported here: django.contrib.postgres is not an installed app (its
        # lookups are not registered), and SQLite never comes here.
        from django.contrib.postgres.lookups import TrigramWordSimilar

        return Q(TrigramWordSimilar(F("employee_name"), Value(text)))
    return (
        Q(reference__icontains=text)
        | Q(employee_name__icontains=text)
        | (Q(employee_staff_number__icontains=text) & access.DetailsVisible.q(user))
        | _referred_by_someone_named(text)
    )


def _referred_by_someone_named(text: str) -> Q:
    """Cases whose referring manager's name or username contains ``text``.

    The managers are looked up first and their cases matched by id, so that
    PostgreSQL can OR this with the trigram index's answers (a subquery in
    an OR cannot be: at 100,000 cases a rare reference then read every case,
    1.7 s against 9 ms; docs/performance.md)."""
    users = (
        get_user_model()
        .objects.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
        .filter(Q(full_name__icontains=text) | Q(username__icontains=text))
        .values_list("pk", flat=True)
    )
    ids = list(users[: CASE_SEARCH_MAX_MANAGERS + 1])
    if len(ids) > CASE_SEARCH_MAX_MANAGERS:
        return Q(referring_manager__in=users)
    return Q(referring_manager__in=ids)


def case_list_for(
    user: Viewer,
    *,
    stage: str | None = None,
    org_unit: str | None = None,
    outcome: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    search: str | None = None,
    sort: str = CASE_LIST_DEFAULT_SORT,
    owned: bool = False,
) -> QuerySet[Case]:
    """Cases the user may see, in ``sort``'s order (``CASE_LIST_SORTS``;
    newest first by default), with what a list row shows (``due_on``: the
    open step's due date, in the same query).

    ``search`` narrows the cases the user may see (``case_search_q``: the
    cases that contain it, or on PostgreSQL, if none does, those whose
    employee's name is close to it); it never widens them. It matches only
    what a row shows its viewer (the reference and the people; the staff
    number where the details are shown), so it reveals nothing a row withholds.
    ``owned``: only the cases ``user`` is the HR owner of.

    Rows come out as ``access.ShownCase``: a row whose details the viewer may
    not read (``details_shown`` false) gives nothing of its substance."""
    qs: QuerySet[Case] = (
        Case.objects.select_related("employee_org_unit", "referring_manager", "owner")
        .filter(access.CaseVisible.q(user))
        .annotate(
            due_on=open_step_due_on("pk"),
            details_shown=ExpressionWrapper(
                access.DetailsVisible.q(user), output_field=BooleanField()
            ),
        )
    )
    qs._iterable_class = access.ShownRows
    if stage:
        qs = qs.filter(stage=stage)
    if org_unit:
        # Filtering by department must not reveal a hidden case's department.
        qs = qs.filter(access.DetailsVisible.q(user), employee_org_unit__code=org_unit)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if owned:
        # "My cases as owner": the cases ``user`` is the named HR owner of.
        qs = qs.filter(owner=user.pk)
    if submitted_from:
        qs = qs.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        qs = qs.filter(submitted_at__date__lte=submitted_to)
    if search:
        qs = case_search(user, qs, search).cases
    return qs.order_by(*CASE_LIST_SORTS[sort])


@dataclass(frozen=True)
class CaseSearch:
    """A list narrowed by a search: the cases, and whether they are close
    matches by name because no case contains the text (the page says so)."""

    cases: QuerySet[Case]
    close: bool


def case_search(user: Viewer, qs: QuerySet[Case], search: str) -> CaseSearch:
    """``qs`` narrowed to the cases that contain ``search`` (``case_search_q``).

    A name nothing contains may be misspelt: on PostgreSQL, for 3 characters
    or more, the cases whose employee's name is close to it instead. Only
    then: close matches beside exact ones would bury them ("Efua Hussain" is
    close to every Hussain)."""
    found = qs.filter(case_search_q(user, search))
    if connection.vendor == "postgresql" and len(search) >= 3 and not found.exists():
        return CaseSearch(qs.filter(case_search_q(user, search, close=True)), close=True)
    return CaseSearch(found, close=False)


@dataclass(frozen=True)
class Allowed:
    """What one person may see and do on one case, each from its rule in
    ``workflow.access`` (and ``workflow.rules`` for the actions)."""

    details: bool
    panel_views: bool
    ethnicity: bool
    conflict_reasons: bool


class CaseView:
    """A case as its page shows it to one person.

    ``case`` is the case as this person may see it (``access.ShownCase``): the
    substance only when ``DetailsVisible`` allows, the ethnic category only
    when the screen shows it and ``EthnicityVisible`` allows. ``minimum`` is
    the reference and stage alone, for a page that refuses. ``path`` is the
    case's path with each reason as ``EventReasonVisible`` allows. The model
    itself is ``_case``, for Python code only (templates cannot read it).
    """

    def __init__(
        self,
        *,
        case: Case,
        active_nodes: list[str],
        actions: list[Action],
        allowed: Allowed,
        viewer: Viewer,
        due_on: dt.date | None,
    ) -> None:
        self._case = case
        self.active_nodes = active_nodes
        self.actions = actions
        self.allowed = allowed
        self.viewer = viewer
        self.due_on = due_on
        shown = access.Shown.MINIMUM | access.Shown.PEOPLE
        if allowed.details:
            shown |= access.Shown.DETAILS
            if allowed.ethnicity:
                shown |= access.Shown.ETHNICITY
        self.case = access.ShownCase(case, shown)
        self.minimum = access.ShownCase(case, access.Shown.MINIMUM)

    @property
    def restricted(self) -> bool:
        """A panel member who has not yet declared no conflict: shown only the
        reference, the people involved and what to do."""
        return not self.allowed.details

    @property
    def show_ethnicity(self) -> bool:
        return self.allowed.details and self.allowed.ethnicity

    @property
    def shows_panel_views(self) -> bool:
        return self.allowed.panel_views

    @property
    def path(self) -> list[access.ShownEvent]:
        """The path (no showings of personal data), oldest first; empty for
        someone who may not read the details."""
        if not self.allowed.details:
            return []
        # The suspension register's events only for those who may see it.
        hidden = (
            frozenset()
            if access.SuspensionVisible.allows(self.viewer, self._case)
            else access.SUSPENSION_EVENTS
        )
        events = [
            access.shown_event(self.viewer, e)
            for e in self._case.events.all()
            if e.action not in hidden
        ]
        return _with_on_behalf_of(events)


def _with_on_behalf_of(events: list[access.ShownEvent]) -> list[access.ShownEvent]:
    """Name the person each event was taken for, where a delegate acted (one
    query, and only when the path has such an event)."""
    ids = {e.payload["on_behalf_of"] for e in events if "on_behalf_of" in e.payload}
    if not ids:
        return events
    people = get_user_model().objects.filter(pk__in=ids).only("first_name", "last_name", "username")
    names = {p.pk: p.get_full_name() or p.get_username() for p in people}
    return [
        replace(e, on_behalf_of=names.get(e.payload["on_behalf_of"], "someone"))
        if "on_behalf_of" in e.payload
        else e
        for e in events
    ]


def case_get_for(
    user: Viewer, case_id: int, *, channel: str = "web", shows_ethnicity: bool = True
) -> CaseView:
    """One case with its panels, decisions, sign-offs and path, or NotFound.

    Showing ethnicity to a role allowed to see it is recorded as an access;
    a screen that does not show it (``shows_ethnicity=False``) records none.
    """
    qs = Case.objects.select_related(
        "employee_org_unit", "referring_manager", "owner", "just_culture", "process"
    ).prefetch_related(
        # The panels (seats, declarations, views, decisions) and the decisions.
        *participants().detail_prefetches(),
        "signoffs__signed_by",
        # The path only: showings of personal data are in the log, not the path.
        Prefetch("events", queryset=AuditEvent.objects.path().select_related("actor")),
    )
    case = (
        qs.filter(access.CaseVisible.q(user))
        .annotate(due_on=open_step_due_on("pk"))
        .filter(pk=case_id)
        .first()
    )
    if case is None or not access.CaseVisible.allows(user, case):
        raise NotFound("No such case, or you may not see it.")
    nodes = active_nodes(case)
    allowed = Allowed(
        details=access.DetailsVisible.allows(user, case),
        panel_views=access.PanelViewsVisible.allows(user, case),
        ethnicity=shows_ethnicity and access.EthnicityVisible.allows(user, case),
        conflict_reasons=access.ConflictReasonVisible.allows(user, case),
    )
    if not allowed.conflict_reasons:
        # Blank the declarations' reasons on the rows loaded for this page, so
        # no template or serializer can show them (these rows are never saved).
        participants().withhold_conflict_reasons(case)
    if allowed.details and allowed.ethnicity:
        personal_data_access_record(
            user=as_actor(user), case=case, field="employee_ethnic_category", channel=channel
        )
    return CaseView(
        case=case,
        active_nodes=nodes,
        actions=available_actions(user, case, nodes),
        allowed=allowed,
        viewer=user,
        due_on=case.due_on if case.is_open else None,
    )


def inbox_for(user: Viewer) -> QuerySet[Task]:
    """Open tasks waiting for ``user``: assigned to them, or in the queue of a
    role they hold, on cases they may see and may act on; and the tasks
    assigned to someone they cover today (an out-of-office delegation), bar
    the chair's decision, which is personal. A row's ``owner`` says whom it
    is for when it is not ``user``'s own."""
    perms = [p for p in user.get_all_permissions()] if user.is_authenticated else []
    mine = Q(owner=user) | Q(owner__isnull=True, owner_permission__in=perms)
    covered = delegators_of(user) if user.is_authenticated else []
    if covered:
        mine |= Q(owner__in=covered) & ~Q(flow_task=ReferralFlow.decide)
    # viewflow ships no type information: its manager is Any to mypy, so the
    # queryset's type is declared here.
    qs: QuerySet[Task] = (
        Task.objects.filter(flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])
        .filter(mine)
        .select_related(
            "process__case__employee_org_unit",
            "process__case__referring_manager",
            "process__case__owner",
            "owner",
        )
        .annotate(due_on=open_step_due_on("process__case"))
    )
    # Nobody acts as an independent check on a case they referred, and only an
    # independent decision-maker is offered the sign-off (access.SignoffIndependent).
    qs = qs.exclude(Q(owner__isnull=True) & Q(process__case__referring_manager=user))
    qs = qs.exclude(
        Q(owner__isnull=True, flow_task=ReferralFlow.signoff)
        & ~access.SignoffIndependent.q(user, "process__case__")
    )
    # viewflow's task table is walled by row-level security on PostgreSQL
    # (tenancy/rls.py); its model has no trust manager, so the SQLite demo's
    # trusts are kept apart here.
    qs = qs.filter(process__case__trust_id=current_trust_id())
    qs = qs.filter(access.CaseVisible.q(user, "process__case__")).annotate(
        # A row shows the department only where the details may be read.
        details_shown=ExpressionWrapper(
            access.DetailsVisible.q(user, "process__case__"), output_field=BooleanField()
        )
    )
    # No DISTINCT: nothing joined here can repeat a task (the access rules are
    # EXISTS subqueries), and DISTINCT over every selected column made the
    # database sort every open task's row before the page could be cut.
    return qs.order_by(*INBOX_ORDER)


def steps_overdue_count(today: dt.date | None = None) -> int:
    """Open steps past their due date (``deadlines.is_overdue``: the due date
    itself is on time), across every case: the operations metric.

    Read from the partial index ``casestep_open_due`` alone, which holds only
    the open spells (one per open case), so the count follows the open
    work, not the history (docs/performance.md).
    """
    due_before = today or timezone.localdate()
    return CaseStep.objects.filter(left_at__isnull=True, due_on__lt=due_before).count()
