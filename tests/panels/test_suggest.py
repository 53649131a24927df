"""Asking for a suggested panel: through the service, from the real pool.

The rules and the search itself are property-tested in ``test_rules``; here
the pool comes from the database: who is in it, their employee records, their
load from real panels, and what it costs to load (a fixed number of queries,
however large the pool).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.roles import Role
from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed, NotFound
from panels.models import PoolMember, StaffNetwork
from panels.services import panel_convene, panel_declare, panel_suggest
from staff.models import Employee
from tenancy.context import trust_id_required
from workflow.models import Case

from ..factories import EmployeeFactory, in_pool, make_user, other_units
from ..workflow.steps import Story, fresh, refused

pytestmark = pytest.mark.django_db


def verdicts(suggestion: Any) -> dict[int, Any]:
    return {v.user_id: v for v in suggestion.verdicts}


def test_hr_is_suggested_the_casts_panel_with_a_reason_for_everyone(
    cast: Any, story: Story
) -> None:
    case = story.panel()
    colleague = make_user("cole.colleague", Role.PANEL)
    in_pool(colleague, unit=story.employee.org_unit, band="8c", trained=True)

    suggestion = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert suggestion.found
    assert suggestion.problems == ()
    assert set(suggestion.member_ids) == {m.pk for m in cast.panel}
    assert suggestion.chair_id in suggestion.member_ids
    excluded = verdicts(suggestion)[colleague.pk]
    assert excluded.status == "excluded"
    assert excluded.reasons == ("Conflict of interest: works in the employee's department",)
    chosen = verdicts(suggestion)[cast.panel_b.pk]
    assert "from outside the employee's ICSU" in chosen.reasons
    assert any(r.startswith("trained independent member until") for r in chosen.reasons)
    assert "in the Race equality network" in chosen.reasons


def test_asking_changes_nothing_but_is_audited_once(cast: Any, story: Story) -> None:
    case = story.panel()
    before = AuditEvent.objects.count()

    suggestion = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.case_id) == ("suggest_panel", cast.hr, case.pk)
    assert (event.from_stage, event.to_stage) == ("panel", "panel")
    assert event.payload["members"] == list(suggestion.member_ids)
    # Nobody's open form goes stale for a look.
    assert (fresh(case).version, fresh(case).updated_at) == (case.version, case.updated_at)


def test_the_load_is_spread_fewest_open_panels_first(cast: Any, story: Story, extras: Any) -> None:
    # Every extra is a trained outsider who may chair; panel_d is kept busy.
    for _ in range(2):
        busy = story.panel()
        members = [extras.panel_d.pk, cast.panel_a.pk, cast.panel_c.pk]
        panel_convene(case_id=busy.pk, actor=cast.hr, members=members, chair=cast.panel_a.pk)
    case = story.panel()

    suggestion = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert extras.panel_d.pk not in suggestion.member_ids
    assert cast.panel_a.pk not in suggestion.member_ids  # two open panels too
    assert "2 open panels" in verdicts(suggestion)[extras.panel_d.pk].reasons[-1]


def test_when_no_panel_can_be_formed_the_suggestion_says_which_rule(
    cast: Any, story: Story
) -> None:
    PoolMember.objects.filter(user=cast.panel_b).update(independent_trained_until=None)
    case = story.panel()

    suggestion = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert not suggestion.found
    assert suggestion.member_ids == ()
    assert suggestion.problems[0].startswith("Independent member: the panel needs 1; only 0")
    assert AuditEvent.objects.latest("seq").reason == "; ".join(suggestion.problems)


def test_after_a_member_stands_down_the_suggestion_fills_their_seat(
    cast: Any, story: Story, extras: Any
) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason="My cousin.")

    suggestion = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert suggestion.found
    assert {cast.panel_a.pk, cast.panel_b.pk} < set(suggestion.member_ids)
    assert cast.panel_c.pk not in suggestion.member_ids
    assert len(suggestion.member_ids) == 3
    assert suggestion.chair_id == cast.panel_a.pk  # the sitting chair stays
    assert verdicts(suggestion)[cast.panel_c.pk].reasons == (
        "Conflict of interest: declared a conflict of interest on this case",
    )
    assert verdicts(suggestion)[cast.panel_a.pk].status == "chair"
    assert verdicts(suggestion)[cast.panel_b.pk].status == "kept"


@pytest.mark.parametrize("who", ["manager", "director"])
def test_only_hr_may_ask(cast: Any, story: Story, who: str) -> None:
    case = story.panel()
    refused(NotAllowed, panel_suggest, case_id=case.pk, actor=getattr(cast, who))


def test_a_panel_member_may_not_ask_on_a_case_they_sit_on(cast: Any, story: Story) -> None:
    case = story.just_convened()
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason="My cousin.")
    refused(NotAllowed, panel_suggest, case_id=case.pk, actor=cast.panel_a)


@pytest.mark.parametrize("where", ["submitted", "informal", "convened", "signoff"])
def test_asking_applies_only_while_a_panel_or_a_seat_is_to_be_filled(
    cast: Any, story: Story, where: str
) -> None:
    case = story.at(where)
    refused(Conflict, panel_suggest, case_id=case.pk, actor=cast.hr)


def test_people_who_cannot_see_the_case_get_not_found(cast: Any, story: Story) -> None:
    case = story.panel()
    refused(NotFound, panel_suggest, case_id=case.pk, actor=cast.outsider)


# --- cost: a bounded number of queries, whatever the pool's size -----------------------


def grow_pool(n: int, *, start: int, units: dict[str, Any]) -> None:
    """Add ``n`` panel members in bulk: a spread of units, bands, training and load."""
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"pool{start + i:05d}", first_name="Pool", last_name=f"Member {start + i}")
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user_id=u.pk, trust_id=trust_id_required(), role=Role.PANEL.value) for u in users
    )
    places = [units["same_icsu"], units["other_icsu"]]
    Employee.objects.bulk_create(
        Employee(
            staff_number=f"P{start + i:06d}",
            name=f"Pool Member {start + i}",
            job_title="Matron",
            band=["6", "7", "8a", "8b"][i % 4],
            org_unit=places[i % 2],
            user=u,
        )
        for i, u in enumerate(users)
    )
    trained = dt.date.today() + dt.timedelta(days=200)
    members = PoolMember.objects.bulk_create(
        PoolMember(user=u, independent_trained_until=trained if i % 5 == 0 else None)
        for i, u in enumerate(users)
    )
    network, _ = StaffNetwork.objects.get_or_create(code="race-equality", name="Race equality")
    PoolMember.networks.through.objects.bulk_create(
        PoolMember.networks.through(poolmember_id=m.pk, staffnetwork_id=network.pk)
        for i, m in enumerate(members)
        if i % 3 == 0
    )


def suggest_costs(case: Case, hr: Any) -> tuple[int, float, Any]:
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        suggestion = panel_suggest(case_id=case.pk, actor=hr)
    return len(queries.captured_queries), time.perf_counter() - started, suggestion


def test_suggesting_from_2000_members_costs_the_same_queries_as_from_200(
    cast: Any, story: Story, extras: Any
) -> None:
    units = other_units()
    EmployeeFactory.create(org_unit=units["other_icsu"])  # someone not in the pool
    case = story.panel()
    busy = story.panel()
    members = [extras.panel_d.pk, cast.panel_a.pk, cast.panel_c.pk]
    panel_convene(case_id=busy.pk, actor=cast.hr, members=members, chair=cast.panel_a.pk)
    grow_pool(200, start=0, units=units)

    small, small_seconds, first = suggest_costs(case, cast.hr)
    grow_pool(1800, start=200, units=units)
    large, large_seconds, second = suggest_costs(case, cast.hr)

    assert len(second.verdicts) == len(first.verdicts) + 1800 > 2000
    assert second.found
    assert len(second.member_ids) == 3
    assert small == large, f"{small} queries at 200 members, {large} at 2,000"
    assert large <= 20
    print(
        f"suggest: {small} queries / {small_seconds:.3f}s at 207 members, "
        f"{large} / {large_seconds:.3f}s at 2,007"
    )


def test_asking_again_for_the_same_suggestion_is_logged_once(cast: Any, story: Story) -> None:
    """A reload or the Back button asks again: the same person, the same answer,
    nothing in between. The log already holds it."""
    case = story.panel()

    first = panel_suggest(case_id=case.pk, actor=cast.hr)
    again = panel_suggest(case_id=case.pk, actor=cast.hr)

    assert again == first
    assert AuditEvent.objects.filter(case=case, action="suggest_panel").count() == 1


def test_a_suggestion_after_something_happened_is_logged_again(cast: Any, story: Story) -> None:
    """Once a member stands down, the suggestion is of who fills the seat: a new
    event, marked as a replacement."""
    case = story.panel()
    panel_suggest(case_id=case.pk, actor=cast.hr)
    members = [m.pk for m in cast.panel]
    panel_convene(case_id=case.pk, actor=cast.hr, members=members, chair=cast.panel_a.pk)
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=False, reason="My cousin.")
    panel_suggest(case_id=case.pk, actor=cast.hr)
    panel_suggest(case_id=case.pk, actor=cast.hr)

    events = AuditEvent.objects.filter(case=case, action="suggest_panel").order_by("seq")
    assert [e.payload["replacement"] for e in events] == [False, True]
