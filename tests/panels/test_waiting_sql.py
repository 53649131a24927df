"""What a panel waits for has one definition, ``panels.state``; HR's dashboard
groups, counts and pages panels by its query form (``selectors.with_waiting``).
For generated panels (seats sitting or stood down, replaced or not, declared
or not, views in either round, decisions made, any chair, any quorum) the two
must agree, and so must the figures each row shows.

The panels are written directly as rows, not walked through the services, so
that every shape the rows can take is tried, not only the ones today's
services make. Each example runs in a savepoint rolled back at its end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from panels import selectors, state
from panels.models import Declaration, Panel, PanelDecision, PanelMembership, PanelView
from panels.rules import PanelRules
from workflow.models import Case

from ..factories import make_user
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

PEOPLE = 7
T0 = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SeatPlan:
    person: int
    stood_down: bool
    declared: str  # "none", "clear" or "conflict"
    rounds: frozenset[int]  # rounds with a view on record
    replaces: int | None  # index of an earlier seat this one fills


@dataclass(frozen=True)
class PanelPlan:
    seats: list[SeatPlan]
    chair: int  # a person, seated or not
    decisions: int
    quorum: int


@st.composite
def panel_plans(draw: Any) -> PanelPlan:
    people = draw(st.permutations(range(PEOPLE)))
    n = draw(st.integers(0, 5))
    seats: list[SeatPlan] = []
    replaced: set[int] = set()
    for i in range(n):
        stood_down = draw(st.booleans())
        earlier = [j for j in range(i) if seats[j].stood_down and j not in replaced]
        replaces = draw(st.none() | st.sampled_from(earlier)) if earlier else None
        if replaces is not None:
            replaced.add(replaces)
        seats.append(
            SeatPlan(
                person=people[i],
                stood_down=stood_down,
                declared=draw(st.sampled_from(["none", "clear", "conflict"])),
                rounds=draw(st.frozensets(st.integers(0, 1))),
                replaces=replaces,
            )
        )
    return PanelPlan(
        seats=seats,
        chair=draw(st.integers(0, PEOPLE - 1)),
        decisions=draw(st.integers(0, 2)),
        quorum=draw(st.integers(0, 4)),
    )


def _write(plan: PanelPlan, case: Case, people: list[Any], hr: Any, when: dt.datetime) -> Panel:
    panel = Panel.objects.create(
        case=case, chair=people[plan.chair], convened_by=hr, convened_at=when
    )
    made: list[PanelMembership] = []
    for i, seat in enumerate(plan.seats):
        m = PanelMembership.objects.create(
            panel=panel,
            user=people[seat.person],
            stood_down_at=when if seat.stood_down else None,
            replaces=made[seat.replaces] if seat.replaces is not None else None,
        )
        made.append(m)
        if seat.declared != "none":
            conflict = seat.declared == "conflict"
            Declaration.objects.create(
                membership=m,
                no_conflict=not conflict,
                reason="A friend." if conflict else "",
                declared_at=when,
            )
        for r in sorted(seat.rounds):
            PanelView.objects.create(
                membership=m,
                round=r,
                outcome="mediation",
                comment=f"View {i}/{r}",
                recorded_at=when,
            )
    for _ in range(plan.decisions):
        PanelDecision.objects.create(
            case=case,
            panel=panel,
            outcome="mediation",
            rationale="Because.",
            decided_by=people[plan.chair],
            decided_at=when,
        )
    return panel


@pytest.fixture
def people(db: None) -> list[Any]:
    return [make_user(f"seat.{i}", Role.PANEL) for i in range(PEOPLE)]


@pytest.fixture
def at_panel(story: Story) -> Case:
    """One case at the panel stage: every example convenes its panel on it."""
    return story.panel()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=panel_plans())
def test_the_query_form_agrees_with_state_for_generated_panels(
    story: Story, at_panel: Case, people: list[Any], plan: PanelPlan
) -> None:
    with transaction.atomic():
        panel = _write(plan, at_panel, people, story.cast.hr, T0)
        rules = PanelRules(quorum=plan.quorum)
        loaded = Panel.objects.prefetch_related(selectors.seats_prefetch(), "decisions").get(
            pk=panel.pk
        )
        row: Any = selectors.with_waiting(Panel.objects.filter(pk=panel.pk), rules).get()

        assert row.waiting == state.waiting_for(loaded, rules).value
        assert row.n_sitting == len(state.sitting(loaded))
        assert row.n_declared == sum(
            1 for m in state.sitting(loaded) if state.declaration(m) is not None
        )
        assert row.n_views == state.views_recorded(loaded)
        assert row.n_needed == state.views_needed(loaded, rules)
        transaction.set_rollback(True)


def test_the_current_panel_is_the_latest_convened(story: Story, people: list[Any]) -> None:
    case = story.panel()
    plan = PanelPlan(seats=[], chair=0, decisions=0, quorum=0)
    older = _write(plan, case, people, story.cast.hr, T0)
    newer = _write(plan, case, people, story.cast.hr, T0 + dt.timedelta(days=1))
    tied = _write(plan, case, people, story.cast.hr, T0 + dt.timedelta(days=1))

    current = selectors.current_panels(Case.objects.filter(pk=case.pk))

    assert list(current) == [tied]
    assert state.current_panel(Case.objects.get(pk=case.pk)) == tied
    assert {older, newer}.isdisjoint(current)


def test_the_dashboard_groups_agree_with_state(story: Story) -> None:
    """Over panels the services made, each case is in the group state names."""
    waiting = story.just_convened()
    to_convene = story.panel()

    groups = {g.key: g for g in selectors.panels_dashboard()}

    panel = state.current_panel(Case.objects.get(pk=waiting.pk))
    assert panel is not None
    key = state.waiting_for(panel).value
    assert [r.case.pk for r in groups[key].rows] == [waiting.pk]
    assert [r.case.pk for r in groups[selectors.CONVENE].rows] == [to_convene.pk]
    assert {k: g.count for k, g in groups.items() if g.count} == {key: 1, selectors.CONVENE: 1}
