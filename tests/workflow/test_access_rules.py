"""For generated people and cases, every page and list follows the one set of
access rules (``workflow.access``), and each rule's two forms agree.

Hypothesis makes a few people with random roles (none, one, or several:
a referring manager who is also HR or sits on panels, a decision-maker on
panels...) and one or two cases at random points, walked there through the
services: submitted, at informal resolution, waiting for a panel, convened
with each member yet to declare, cleared or stood down after a conflict (and
perhaps replaced), or waiting for sign-off. Then for every person and case:

* the rule's Python form ``allows`` and its query form ``q`` agree;
* the case page answers 200 ⇔ ``case_get_for`` finds it ⇔ it is in their web
  list ⇔ in their API list ⇔ the stage filter finds it; the department
  filter finds it ⇔ its details may be read;
* anything in their inbox is a case they may see;
* the page shows the concern and department ⇔ ``DetailsVisible``, the
  ethnic category ⇔ details and ``EthnicityVisible``;
* the sign-off is offered (page and inbox) ⇔ ``SignoffIndependent``.

Some people cover others (out-of-office delegations, running or ended, made
directly, so a delegate may lack some of the person's roles): every rule
above holds for the delegate too, in both forms.

Each example runs in a savepoint rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.delegation import forget_delegations
from accounts.models import Delegation
from accounts.roles import Role, has_role
from core.errors import NotFound
from panels import state
from panels.services import panel_convene, panel_declare, panel_members_replace
from workflow import access
from workflow.models import Case
from workflow.rules import Action
from workflow.selectors import case_get_for, case_list_for, inbox_for
from workflow.services import case_triage, referral_submit

from ..factories import EmployeeFactory, in_pool, make_user, other_units, referral_kwargs
from .steps import RATIONALE, deliberate, fresh

ROLES = [Role.MANAGER, Role.HR, Role.PANEL, Role.DECISION_MAKER, Role.GOVERNANCE]
POINTS = ["submitted", "informal", "panel", "convened", "signoff"]
DECLARATIONS = ["undeclared", "cleared", "conflict"]
RULES: list[Any] = [
    access.CaseVisible,
    access.DetailsVisible,
    access.PanelViewsVisible,
    access.SignoffIndependent,
    access.EthnicityVisible,
    access.ConflictReasonVisible,
    access.SuspensionVisible,
    access.WellbeingVisible,
    access.AccountVisible,
    access.FormalVisible,
]
_names = itertools.count(1)


@dataclass(frozen=True)
class CasePlan:
    referrer: int  # index into the managers
    point: str
    seats: tuple[str, str, str]  # each member's declaration
    replace: bool  # HR fills the seats of those who stood down
    members: tuple[int, int, int, int, int]  # preference order of panel people


people_st = st.lists(st.sets(st.sampled_from(ROLES), max_size=3), min_size=2, max_size=3)
# (person, delegate, running): indexes into the people; an ended delegation gives nothing.
covers_st = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.booleans()), max_size=2)
plan_st = st.builds(
    CasePlan,
    referrer=st.integers(0, 5),
    point=st.sampled_from(POINTS),
    seats=st.tuples(*[st.sampled_from(DECLARATIONS)] * 3),
    replace=st.booleans(),
    members=st.permutations(range(5)).map(lambda p: tuple(p)),
)


def _person(roles: set[Role]) -> Any:
    user = make_user(f"p{next(_names)}", *sorted(roles))
    if Role.PANEL in roles:
        # A trained independent member from another ICSU at band 8a: any three
        # of them make a panel the default rules accept.
        in_pool(user, unit=other_units()["other_icsu"], band="8a", trained=True)
    return user


def _build(plan: CasePlan, managers: list[Any], panelists: list[Any], cast: Any) -> Case:
    referrer = managers[plan.referrer % len(managers)]
    case = referral_submit(actor=referrer, **referral_kwargs(EmployeeFactory.create()))
    if plan.point == "submitted":
        return case
    route = "informal" if plan.point == "informal" else "panel"
    case = case_triage(case_id=case.pk, actor=cast.hr, route=route, reason="Needs a panel.")
    if plan.point in ("informal", "panel"):
        return case
    eligible = [p for p in panelists if p.pk != referrer.pk]
    order = [eligible[i] for i in plan.members if i < len(eligible)]
    members, spares = order[:3], order[3:]
    case = panel_convene(
        case_id=case.pk, actor=cast.hr, members=[m.pk for m in members], chair=members[0].pk
    )
    if plan.point == "signoff":
        deliberate(case)
        return panel_decision_record_formal(case, members[0])
    for member, how in zip(members, plan.seats, strict=True):
        if how != "undeclared":
            reason = "" if how == "cleared" else "The employee is a close friend of mine."
            case = panel_declare(
                case_id=case.pk, actor=member, no_conflict=how == "cleared", reason=reason
            )
    gone = [m for m, how in zip(members, plan.seats, strict=True) if how == "conflict"]
    if plan.replace and gone and len(spares) >= len(gone):
        # A chair who stood down is replaced as chair by the first replacement.
        chair = spares[0] if members[0] in gone else None
        case = panel_members_replace(
            case_id=case.pk,
            actor=cast.hr,
            members=[s.pk for s in spares[: len(gone)]],
            chair=chair.pk if chair is not None else None,
        )
    return case


def _cover(people: list[Any], covers: list[tuple[int, int, bool]]) -> None:
    """Delegations among the generated people, as rows (not through the
    service, which would refuse a delegate lacking a role: the rules must
    hold whatever the rows say)."""
    today = timezone.localdate()
    away: set[int] = set()
    for i, j, running in covers:
        person, delegate = people[i % len(people)], people[j % len(people)]
        if person.pk == delegate.pk or person.pk in away:
            continue
        away.add(person.pk)
        start = today - dt.timedelta(days=1 if running else 10)
        Delegation.objects.create(
            person=person,
            delegate=delegate,
            starts_on=start,
            ends_on=today + dt.timedelta(days=2) if running else today - dt.timedelta(days=3),
            created_by=person,
            created_at=timezone.now(),
        )
    for user in people:
        forget_delegations(user)


def panel_decision_record_formal(case: Case, chair: Any) -> Case:
    from panels.services import panel_decision_record

    return panel_decision_record(
        case_id=case.pk, actor=chair, outcome="formal_investigation", rationale=RATIONALE
    )


def _loaded(case: Case) -> Case:
    return (
        Case.objects.prefetch_related("panels__memberships__declaration")
        .select_related("referring_manager")
        .get(pk=case.pk)
    )


def _check(user: Any, cases: list[Case], story_summary: str, department: str) -> None:
    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    listed = client.get(reverse("cases:list")).content.decode()
    api_ids = {row["id"] for row in api.get("/api/v1/referrals/").json()["results"]}
    inbox = list(inbox_for(user))
    inbox_cases = {t.process.case.pk for t in inbox}
    for case in cases:
        loaded = _loaded(case)
        for rule in RULES:
            by_query = Case.objects.filter(rule.q(user)).filter(pk=case.pk).exists()
            assert by_query == rule.allows(user, loaded), (rule.__name__, user, case)
        visible = access.CaseVisible.allows(user, loaded)
        details = access.DetailsVisible.allows(user, loaded)
        try:
            view = case_get_for(user, case.pk)
        except NotFound:
            view = None
        assert (view is not None) == visible
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.status_code == (200 if visible else 404)
        link = f'href="{reverse("cases:detail", args=[case.pk])}"'
        assert (link in listed) == visible
        assert (case.pk in api_ids) == visible
        by_stage = case_list_for(user, stage=case.stage).filter(pk=case.pk).exists()
        by_unit = case_list_for(user, org_unit=case.employee_org_unit.code)
        assert by_stage == visible
        assert by_unit.filter(pk=case.pk).exists() == details
        if case.pk in inbox_cases:
            assert visible
        text = page.content.decode()
        assert (story_summary in text) == details
        assert (department in text) == details
        shows_ethnicity = 'data-testid="ethnicity"' in text
        assert shows_ethnicity == (details and access.EthnicityVisible.allows(user, loaded))
        if case.stage == "signoff":
            independent = access.SignoffIndependent.allows(user, loaded)
            assert view is None or ((Action.SIGNOFF in view.actions) == independent)
            offered = any(
                t.process.case.pk == case.pk and t.flow_task.name == "signoff" for t in inbox
            )
            assert offered == independent


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(roles=people_st, plans=st.lists(plan_st, min_size=1, max_size=2), covers=covers_st)
def test_every_page_and_list_follows_the_access_rules(
    cast: Any, roles: list[set[Role]], plans: list[CasePlan], covers: list[tuple[int, int, bool]]
) -> None:
    with transaction.atomic():
        people = [_person(r) for r in roles]
        # Enough managers and panel people for any plan: a manager who is also
        # on panels, and panel members of the generated people's kinds.
        managers = [p for p in people if has_role(p, Role.MANAGER)] or [cast.manager]
        panelists = [p for p in people if has_role(p, Role.PANEL)] + [
            _person({Role.PANEL}) for _ in range(3)
        ]
        cases = [fresh(_build(plan, managers, panelists, cast)) for plan in plans]
        for case in cases:
            panel = state.current_panel(_loaded(case))
            assert panel is None or len(state.seats(panel)) >= 3
        _cover(people, covers)
        employee = cases[0].employee
        assert employee is not None  # a live case; only a destroyed one has none
        summary = referral_kwargs(employee)["summary"]
        department = cases[0].employee_org_unit.name
        for user in dict.fromkeys([*people, cast.hr, cast.director, *managers]):
            _check(user, cases, summary, department)
        transaction.set_rollback(True)
