"""List and case pages cost the same number of queries however many cases exist."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels.services import panel_convene, panel_decision_record
from workflow.models import Case
from workflow.services import case_signoff, case_triage, referral_submit

from ..factories import EmployeeFactory, referral_kwargs
from .steps import deliberate

pytestmark = pytest.mark.django_db


def _add_cases(cast, n: int) -> list[Case]:
    """n cases in a spread of stages, through the services."""
    cases = []
    for i in range(n):
        employee = EmployeeFactory.create()
        case = referral_submit(actor=cast.manager, **referral_kwargs(employee))
        if i % 3 >= 1:
            case_triage(
                case_id=case.pk,
                actor=cast.hr,
                route="panel",
                reason="Pattern of concerns; informal not appropriate.",
            )
            panel_convene(
                case_id=case.pk,
                actor=cast.hr,
                members=[u.pk for u in cast.panel],
                chair=cast.panel_a.pk,
            )
            deliberate(case)
        if i % 3 == 2:
            panel_decision_record(
                case_id=case.pk,
                actor=cast.panel_a,
                outcome="formal_investigation",
                rationale="Serious allegation needing investigation.",
            )
            case_signoff(
                case_id=case.pk,
                actor=cast.director,
                approve=True,
                reason="Proportionate to the concern.",
            )
        cases.append(case)
    return cases


def _count(client, user, url: str) -> int:
    client.force_login(user)
    client.get(url)  # warm caches that are per-process, not per-request (content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("hr", "cases:list"),
        ("manager", "cases:list"),
        ("panel_a", "cases:list"),
        ("hr", "cases:inbox"),
        ("manager", "cases:inbox"),
        ("panel_a", "cases:inbox"),
        ("director", "cases:inbox"),
    ],
)
def test_lists_cost_constant_queries(client, cast, who, url_name):
    user = getattr(cast, who)
    url = reverse(url_name)
    _add_cases(cast, 3)
    small = _count(client, user, url)
    _add_cases(cast, 9)
    large = _count(client, user, url)
    assert small == large, f"{url_name} for {who}: {small} queries at 3 cases, {large} at 12"


@pytest.mark.parametrize("who", ["hr", "manager", "panel_a", "director"])
def test_case_page_costs_constant_queries(client, cast, who):
    user = getattr(cast, who)
    first = _add_cases(cast, 3)[2]  # a formal case: panel, decision, sign-off, five events
    url = reverse("cases:detail", args=[first.pk])
    small = _count(client, user, url)
    _add_cases(cast, 9)
    large = _count(client, user, url)
    assert small == large, f"case page for {who}: {small} then {large} queries"
