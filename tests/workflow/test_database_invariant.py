"""The database itself refuses to break the invariant (PostgreSQL triggers).

Nothing here goes through the services: these are the writes an admin
action, a careless migration or a psql session could make. Each refused
write runs in its own savepoint so the test's transaction survives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process

from panels.models import PanelDecision
from workflow.flows import ReferralFlow
from workflow.models import Case, SignOff, Stage
from workflow.services import case_signoff

from .steps import DECLINE_REASON, RATIONALE, Story, fresh, snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers"),
]

FORMAL = {"stage": "formal", "outcome": "formal_investigation"}


def db_refuses(write: Callable[[], Any]) -> None:
    """``write`` raises IntegrityError and leaves every row as it was."""
    before = snapshot()
    with pytest.raises(IntegrityError), transaction.atomic():
        write()
    assert snapshot() == before


def orm_formal(case: Case) -> Callable[[], Any]:
    return lambda: Case.objects.filter(pk=case.pk).update(
        formal_commissioned_at=timezone.now(), **FORMAL
    )


def sql(statement: str, *params: Any) -> Callable[[], Any]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return run


def sql_formal(case: Case) -> Callable[[], Any]:
    return sql(
        "UPDATE workflow_case SET stage = 'formal', outcome = 'formal_investigation', "
        "formal_commissioned_at = now() WHERE id = %s",
        case.pk,
    )


def sign(
    case: Case, by: Any, *, approved: bool = True, decision: PanelDecision | None = None
) -> SignOff:
    """Insert a sign-off row directly, bypassing the service and its rules."""
    decision = decision or PanelDecision.objects.filter(case=case).latest("decided_at", "id")
    return SignOff.objects.create(
        case=case, decision=decision, approved=approved, signed_by=by, signed_at=timezone.now()
    )


def add_decision(case: Case, by: Any, outcome: str) -> PanelDecision:
    """Append a decision row directly, newer than any other on the case."""
    return PanelDecision.objects.create(
        case=case,
        panel=case.panels.get(),
        outcome=outcome,
        rationale=RATIONALE,
        decided_by=by,
        decided_at=timezone.now(),
    )


# --- no way into formal without the evidence ---------------------------------------


@pytest.mark.parametrize(
    "where", ["submitted", "returned", "informal", "panel", "convened", "signoff"]
)
def test_an_open_case_cannot_be_set_formal(story: Story, where: str) -> None:
    case = story.at(where)
    db_refuses(orm_formal(case))
    db_refuses(sql_formal(case))
    assert fresh(case).stage == case.stage


def test_a_save_of_the_model_cannot_set_formal_either(story: Story) -> None:
    case = fresh(story.signoff())
    case.stage, case.formal_commissioned_at = Stage.FORMAL, timezone.now()

    db_refuses(case.save)


def test_a_case_cannot_be_inserted_as_formal(cast: Any, story: Story) -> None:
    template = story.signoff()
    row = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields}
    row.update(id=None, reference="FTP-INSERTED", formal_commissioned_at=timezone.now(), **FORMAL)

    def insert() -> None:
        row["process_id"] = Process.objects.create(flow_class=ReferralFlow).pk
        Case.objects.create(**row)

    db_refuses(insert)


def test_an_approving_signoff_by_someone_else_lets_the_case_in(cast: Any, story: Story) -> None:
    # The control for the refusals below: the same direct writes, with valid evidence.
    case = story.signoff()
    sign(case, cast.director)
    Case.objects.filter(pk=case.pk).update(formal_commissioned_at=timezone.now(), **FORMAL)
    assert fresh(case).stage == Stage.FORMAL


def test_a_signoff_by_the_referring_manager_is_not_evidence(
    cast: Any, extras: Any, story: Story
) -> None:
    case = story.signoff(manager=extras.manager_dm)
    sign(case, extras.manager_dm)
    db_refuses(orm_formal(case))
    db_refuses(sql_formal(case))


def test_a_declining_signoff_is_not_evidence(cast: Any, story: Story) -> None:
    case = story.signoff()
    sign(case, cast.director, approved=False)
    db_refuses(orm_formal(case))


def test_a_signoff_of_an_older_decision_is_not_evidence(cast: Any, story: Story) -> None:
    case = story.signoff()
    sign(case, cast.director)  # approves the formal proposal...
    add_decision(case, cast.panel_a, "mediation")  # ...but the panel has since decided otherwise
    db_refuses(orm_formal(case))
    db_refuses(sql_formal(case))


def test_approval_of_a_superseded_formal_proposal_is_not_evidence(cast: Any, story: Story) -> None:
    case = story.signoff()
    first = PanelDecision.objects.get(case=case)
    case_signoff(case_id=case.pk, actor=cast.director, approve=False, reason=DECLINE_REASON)
    story.decide(case, "formal_investigation")  # a new proposal, not yet signed off
    sign(case, cast.director, decision=first)
    db_refuses(orm_formal(case))


def test_approval_of_a_non_formal_decision_is_not_evidence(cast: Any, story: Story) -> None:
    case = story.signoff()
    sign(case, cast.director, decision=add_decision(case, cast.panel_a, "mediation"))
    db_refuses(orm_formal(case))


def test_the_referrer_of_a_formal_case_cannot_become_its_signatory(cast: Any, story: Story) -> None:
    case = story.formal()
    db_refuses(lambda: Case.objects.filter(pk=case.pk).update(referring_manager=cast.director))


def test_a_formal_case_keeps_its_outcome_and_commission_date(story: Story) -> None:
    case = story.formal()
    db_refuses(lambda: Case.objects.filter(pk=case.pk).update(outcome="mediation"))
    db_refuses(lambda: Case.objects.filter(pk=case.pk).update(formal_commissioned_at=None))


# --- terminal stages stay terminal ------------------------------------------------


@pytest.mark.parametrize("to", ["submitted", "panel", "signoff", "closed"])
def test_a_formal_case_cannot_change_stage(story: Story, to: str) -> None:
    case = story.formal()
    db_refuses(lambda: Case.objects.filter(pk=case.pk).update(stage=to, closed_at=timezone.now()))
    db_refuses(
        sql("UPDATE workflow_case SET stage = %s, closed_at = now() WHERE id = %s", to, case.pk)
    )


@pytest.mark.parametrize("to", ["submitted", "informal", "panel", "signoff", "formal"])
def test_a_closed_case_cannot_change_stage(story: Story, to: str) -> None:
    case = story.closed()
    fields = {"stage": to, **({"formal_commissioned_at": timezone.now()} if to == "formal" else {})}
    db_refuses(lambda: Case.objects.filter(pk=case.pk).update(**fields))
    db_refuses(sql("UPDATE workflow_case SET stage = %s WHERE id = %s", to, case.pk))


def test_a_closed_case_cannot_become_formal_even_with_evidence(cast: Any, story: Story) -> None:
    case = story.signoff()
    sign(case, cast.director)
    Case.objects.filter(pk=case.pk).update(
        stage="closed", outcome="withdrawn", closed_at=timezone.now()
    )
    db_refuses(orm_formal(case))


def test_unrelated_columns_of_a_formal_case_can_still_change(story: Story) -> None:
    case = story.formal()
    Case.objects.filter(pk=case.pk).update(summary="Corrected: the handover was on ward 7.")
    case = fresh(case)
    case.informal_steps_tried = "Two conversations, both recorded."
    case.save()
    sql("UPDATE workflow_case SET employee_job_title = 'Charge Nurse' WHERE id = %s", case.pk)()
    case = fresh(case)
    assert (case.stage, case.summary, case.informal_steps_tried, case.employee_job_title) == (
        Stage.FORMAL,
        "Corrected: the handover was on ward 7.",
        "Two conversations, both recorded.",
        "Charge Nurse",
    )


def test_unrelated_columns_of_a_closed_case_can_still_change(story: Story) -> None:
    case = story.closed()
    Case.objects.filter(pk=case.pk).update(summary="Corrected summary of the concern raised.")
    assert fresh(case).stage == Stage.CLOSED


# --- the evidence is append-only ------------------------------------------------


def test_panel_decisions_cannot_be_changed_or_deleted(story: Story) -> None:
    case = story.signoff()
    decision = PanelDecision.objects.get(case=case)
    db_refuses(lambda: PanelDecision.objects.filter(pk=decision.pk).update(outcome="mediation"))
    db_refuses(lambda: PanelDecision.objects.filter(pk=decision.pk).update(rationale="x" * 30))
    db_refuses(lambda: PanelDecision.objects.filter(pk=decision.pk).delete())
    db_refuses(
        sql("UPDATE panels_paneldecision SET outcome = 'mediation' WHERE id = %s", decision.pk)
    )
    db_refuses(sql("DELETE FROM panels_paneldecision WHERE id = %s", decision.pk))
    decision.rationale = "Rewritten after the event."
    db_refuses(decision.save)


def test_signoffs_cannot_be_changed_or_deleted(cast: Any, story: Story) -> None:
    case = story.formal()
    signoff = SignOff.objects.get(case=case)
    db_refuses(lambda: SignOff.objects.filter(pk=signoff.pk).update(approved=False))
    db_refuses(lambda: SignOff.objects.filter(pk=signoff.pk).update(signed_by=cast.manager))
    db_refuses(lambda: SignOff.objects.filter(pk=signoff.pk).delete())
    db_refuses(sql("UPDATE workflow_signoff SET approved = false WHERE id = %s", signoff.pk))
    db_refuses(sql("DELETE FROM workflow_signoff WHERE id = %s", signoff.pk))


def test_a_formal_case_cannot_be_given_a_newer_decision(cast: Any, story: Story) -> None:
    # Appending is the one write the append-only triggers allow; a newer decision
    # would quietly make the formal case's evidence no longer its latest.
    case = story.formal()
    db_refuses(lambda: add_decision(case, cast.panel_a, "no_further_action"))
    db_refuses(
        sql(
            "INSERT INTO panels_paneldecision (case_id, panel_id, outcome, rationale, "
            "decided_by_id, decided_at) SELECT case_id, panel_id, 'mediation', rationale, "
            "decided_by_id, now() FROM panels_paneldecision WHERE case_id = %s",
            case.pk,
        )
    )


@pytest.mark.parametrize("where", ["formal", "closed"])
def test_a_terminal_case_takes_no_new_decision_or_signoff(
    cast: Any, story: Story, where: str
) -> None:
    case = story.formal() if where == "formal" else story.decide(story.convened(), "mediation")
    db_refuses(lambda: add_decision(case, cast.panel_a, "formal_investigation"))
    db_refuses(lambda: sign(case, cast.director, approved=where == "closed"))
