"""Each step of the formal path costs a fixed, pinned number of queries.

The engine locks the case once (case and process rows in one statement),
reads its open tasks and panel graph once, and records everyone an action
tells in one batch (issue 14; ``make bench`` compares the whole path with
the bare ORM). These budgets are what each step costs today, inside a test's
transaction (so each service's ``atomic`` adds a savepoint pair); a change
that adds a query to a step fails here and must either be cut or raise the
budget on purpose. The audit chain's statements are in the counts: an
event costs a few, whichever process appends it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_view_record,
)
from workflow.models import Case, Stage
from workflow.services import case_signoff, case_triage, referral_submit

from ..factories import make_user, referral_kwargs
from .steps import account_add

pytestmark = pytest.mark.django_db

# The most queries each step may cost (a declaration and a view: each one).
BUDGET = {
    "submit": 32,  # + the open cases of the same employee (the duplicate warning)
    # + 1 for each step that moves the case: the notices whose ask it ended
    # are marked read (notifications/services/settle.py).
    # + 1 for each step that tells anyone: who covers the people told today
    # (out-of-office delegations, notifications/services/covering.py).
    # + whether the wellbeing contact is the employee themself, and the
    # case's first check-in due (one insert; wellbeing/)
    "triage": 31,
    "convene": 34,
    "declare": 12,
    "view": 12,
    # + the panel's latest review, for the guide's advice (panels/guide.py), and
    # whether the employee's account is on the case (voice/: one indexed probe)
    "decide": 38,
    # + the formal process opens on approval (formal/): its row, the
    # investigate spell, and that spell's notices (delete the stale, insert)
    "signoff": 41,
}


def _count(step: Callable[[], Any]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        step()
    return len(ctx.captured_queries), [q["sql"][:120] for q in ctx.captured_queries]


def _walk(cast: Any, employee: Any) -> dict[str, tuple[int, list[str]]]:
    """One case down the formal path; each step's queries (the first member's
    declaration and view for those two steps)."""
    costs: dict[str, tuple[int, list[str]]] = {}
    box: dict[str, Case] = {}

    def submit() -> None:
        box["case"] = referral_submit(actor=cast.manager, **referral_kwargs(employee))

    costs["submit"] = _count(submit)
    case_id = box["case"].pk
    costs["triage"] = _count(
        lambda: case_triage(
            case_id=case_id, actor=cast.hr, route="panel", reason="A pattern of concerns."
        )
    )
    costs["convene"] = _count(
        lambda: panel_convene(
            case_id=case_id,
            actor=cast.hr,
            members=[m.pk for m in cast.panel],
            chair=cast.panel_a.pk,
        )
    )
    # HR adds the employee's account before the panel decides (voice/).
    account_add(box["case"], cast.hr)
    for member in cast.panel:
        cost = _count(partial(panel_declare, case_id=case_id, actor=member, no_conflict=True))
        costs.setdefault("declare", cost)
    for member in cast.panel:
        cost = _count(
            partial(
                panel_view_record,
                case_id=case_id,
                actor=member,
                outcome="formal_investigation",
                comment="Needs it.",
            )
        )
        costs.setdefault("view", cost)
    costs["decide"] = _count(
        lambda: panel_decision_record(
            case_id=case_id,
            actor=cast.panel_a,
            outcome="formal_investigation",
            rationale="Serious allegation that needs investigating.",
        )
    )
    costs["signoff"] = _count(
        lambda: case_signoff(
            case_id=case_id,
            actor=cast.director,
            approve=True,
            reason="Proportionate to the concern.",
        )
    )
    assert Case.objects.get(pk=case_id).stage == Stage.FORMAL
    return costs


def test_each_step_of_the_formal_path_stays_within_its_query_budget(cast, employee):
    _walk(cast, employee)  # warm the per-process caches (content types, permissions)
    costs = _walk(cast, employee)
    over = {
        step: f"{n} queries (budget {BUDGET[step]}):\n  " + "\n  ".join(sql)
        for step, (n, sql) in costs.items()
        if n > BUDGET[step]
    }
    assert not over, "\n".join(f"{step}: {why}" for step, why in over.items())


def test_a_sign_off_waiting_costs_the_same_however_many_decision_makers(cast, employee):
    _walk(cast, employee)
    one = _walk(cast, employee)
    for i in range(5):
        make_user(f"extra.director{i}", Role.DECISION_MAKER)
    many = _walk(cast, employee)
    assert many["decide"][0] == one["decide"][0]
    assert many["signoff"][0] == one["signoff"][0]
