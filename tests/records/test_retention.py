"""Destroying a case file: what goes, what stays, and who may.

The case row stays as a tombstone with no personal data on it; the rows
about the case elsewhere are deleted, or redacted in place where they are
append-only evidence; the audit log records the destruction and still
verifies. Refusals change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from audit.models import AuditEvent
from audit.redaction import REDACTED_PAYLOAD
from audit.verify import verify_log
from core.errors import Conflict, NotAllowed, ValidationFailed
from notifications.models import Delivery, Kind, Notification
from panels.models import DecisionGuideAnswers, Declaration, PanelDecision, PanelView
from records.retention import (
    REDACTED,
    RetentionClass,
    case_destroy,
    retention_due_on,
    years_after,
)
from workflow.models import Case, JustCultureAssessment, SignOff

from ..formal.steps import formal_concluded
from ..policy import policy_set
from ..workflow.steps import Story, fresh, refused
from .world import LATER, LONDON, at

REASON = "Six years since closure under the retention schedule."


@pytest.fixture(autouse=True)
def _anchors(tmp_path: Any, settings: Any) -> None:
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")


def destroy(case: Case, actor: Any, **overrides: Any) -> Case:
    kwargs = {"case_id": case.pk, "actor": actor, "reference": case.reference, "reason": REASON}
    return case_destroy(**{**kwargs, **overrides})


def formal_case(cast: Any, employee: Any) -> Case:
    with at(2024, 6, 3):
        # Its formal process concluded the same day (formal/): the clock starts.
        return formal_concluded(Story(cast, employee))


def bundle_naming(case: Case, other: Case, recipient: Any) -> Notification:
    """A deadline bundle naming ``case`` and another case, as the sweep writes them."""
    item = {"kind": Kind.REMINDER, "step": "triage", "due_on": "2024-06-05"}
    return Notification.objects.create(
        event_key=f"bundle-{case.pk}",
        recipient=recipient,
        kind=Kind.DUE_STEPS,
        items=[{**item, "case": case.pk}, {**item, "case": other.pk}],
        created_at=case.submitted_at,
    )


# --- what goes and what stays ----------------------------------------------------


def test_a_destroyed_case_keeps_only_what_the_reports_count(cast, employee):
    case = formal_case(cast, employee)
    kept = {
        name: getattr(case, name)
        for name in (
            "reference",
            "submitted_at",
            "formal_commissioned_at",
            "closed_at",
            "stage",
            "outcome",
            "triage_route",
            "employee_org_unit_id",
            "referring_manager_id",
        )
    }
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    tomb = fresh(case)
    assert {name: getattr(tomb, name) for name in kept} == kept
    assert tomb.destroyed_at is not None
    assert (tomb.wres_group, tomb.wres_counted) == ("bme", True)  # N, the only case
    assert tomb.employee_id is None
    assert tomb.incident_date is None
    for name in (
        "employee_staff_number",
        "employee_name",
        "employee_job_title",
        "employee_band",
        "employee_line_manager_name",
        "employee_ethnic_category",
        "concern_category",
        "summary",
        "informal_steps_tried",
        "triage_reason",
        "informal_actions",
        "informal_reason",
    ):
        assert getattr(tomb, name) == "", name


def test_the_cases_personal_rows_elsewhere_are_deleted_or_redacted(cast, employee):
    case = formal_case(cast, employee)
    other = Story(cast, employee).submitted()
    bundle = bundle_naming(case, other, cast.hr)
    assert Notification.objects.filter(case=case).exists()
    assert JustCultureAssessment.objects.filter(case=case).exists()
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    assert not JustCultureAssessment.objects.filter(case=case).exists()
    assert not DecisionGuideAnswers.objects.filter(decision__case=case).exists()
    assert not Notification.objects.filter(case=case).exists()
    assert not Delivery.objects.filter(notification__case=case).exists()
    bundle.refresh_from_db()
    assert [item["case"] for item in bundle.items] == [other.pk]
    decisions = PanelDecision.objects.filter(case=case)
    assert decisions.exists()
    assert {(d.rationale, d.agreed_actions) for d in decisions} <= {
        (REDACTED, REDACTED),
        (REDACTED, None),
    }
    assert {s.reason for s in SignOff.objects.filter(case=case)} <= {REDACTED, ""}
    views = PanelView.objects.filter(membership__panel__case=case)
    assert views.exists()
    assert {v.comment for v in views} == {REDACTED}
    assert {d.reason for d in Declaration.objects.filter(membership__panel__case=case)} <= {
        "",
        REDACTED,
    }
    assert not Process.objects.filter(pk=case.process_id).exclude(data={}).exists()
    assert not Task.objects.filter(process_id=case.process_id).exclude(data={}).exists()
    # The other case of the same person is untouched.
    assert fresh(other).employee_name == employee.name


def test_a_bundle_left_with_no_entries_goes(cast, employee):
    case = formal_case(cast, employee)
    bundle = bundle_naming(case, case, cast.hr)
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    assert not Notification.objects.filter(pk=bundle.pk).exists()


def test_the_destruction_is_audited_and_the_chain_still_verifies(cast, employee):
    case = formal_case(cast, employee)
    with_text = set(
        AuditEvent.objects.filter(case=case)
        .exclude(reason="", payload={})
        .values_list("seq", flat=True)
    )
    assert with_text, "the case's trail carries text to redact"
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    done = AuditEvent.objects.get(case=case, action="case_destroyed")
    assert done.actor == cast.hr
    assert done.reason == REASON
    assert done.payload["reference"] == case.reference
    assert done.payload["retention_class"] == RetentionClass.FORMAL
    assert set(done.payload["redacted_seqs"]) == with_text
    assert done.payload["removed"]["just_culture_answers"] == 1
    redacted = AuditEvent.objects.filter(seq__in=with_text)
    assert {(e.reason, str(e.payload)) for e in redacted} == {("", str(REDACTED_PAYLOAD))}
    assert all(e.redacted_at is not None for e in redacted)
    report = verify_log()
    assert report.intact, str(report)


# --- refusals ------------------------------------------------------------------


def test_only_an_hr_adviser_may_destroy_a_file(cast, employee):
    case = formal_case(cast, employee)
    with time_machine.travel(LATER):
        for person in (cast.director, cast.manager, cast.governance, cast.outsider):
            refused(NotAllowed, destroy, case=case, actor=person)


def test_the_reference_must_be_typed_and_a_reason_given(cast, employee):
    case = formal_case(cast, employee)
    with time_machine.travel(LATER):
        for reference, reason, fields in (
            ("FTP-1999-00001", REASON, {"reference"}),
            ("", REASON, {"reference"}),
            (case.reference, "   ", {"reason"}),
            (case.reference, "x" * 501, {"reason"}),
        ):
            error = refused(
                ValidationFailed,
                destroy,
                case=case,
                actor=cast.hr,
                reference=reference,
                reason=reason,
            )
            assert isinstance(error, ValidationFailed)
            assert set(error.errors) == fields
    # Case does not matter in the typed reference.
    with time_machine.travel(LATER):
        destroy(case, cast.hr, reference=case.reference.lower())
    assert fresh(case).destroyed_at is not None


def test_an_open_case_is_never_destroyed(cast, employee):
    case = Story(cast, employee).panel()
    assert retention_due_on(case) is None
    with time_machine.travel(LATER):
        error = refused(Conflict, destroy, case=case, actor=cast.hr)
    assert "still open" in error.message


def test_a_file_not_yet_due_is_refused_with_its_due_date(cast, employee):
    case = formal_case(cast, employee)
    due = retention_due_on(case)
    assert due == dt.date(2030, 6, 3)
    with time_machine.travel(dt.datetime(2030, 6, 2, 12, 0, tzinfo=LONDON)):
        error = refused(Conflict, destroy, case=case, actor=cast.hr)
    assert "3 Jun 2030" in error.message
    with time_machine.travel(dt.datetime(2030, 6, 3, 9, 0, tzinfo=LONDON)):
        destroy(case, cast.hr)


def test_a_file_is_destroyed_once(cast, employee):
    case = formal_case(cast, employee)
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
        error = refused(Conflict, destroy, case=case, actor=cast.hr)
    assert "already destroyed" in error.message


def test_the_schedule_counts_from_closure_by_class(cast, employee):
    policy_set(retention_years={"no_formal": 3, "formal": 8})
    with at(2024, 2, 29):
        closed = Story(cast, employee).closed()
    assert retention_due_on(closed) == dt.date(2027, 2, 28)
    assert retention_due_on(formal_case(cast, employee)) == dt.date(2032, 6, 3)
    assert years_after(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


# --- the database's own guards ----------------------------------------------------


def test_the_evidence_of_a_live_case_still_cannot_be_changed(cast, employee):
    case = formal_case(cast, employee)
    for rows in (
        PanelDecision.objects.filter(case=case),
        SignOff.objects.filter(case=case),
        PanelView.objects.filter(membership__panel__case=case),
    ):
        field = {"panels_paneldecision": "rationale", "workflow_signoff": "reason"}.get(
            rows.model._meta.db_table, "comment"
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**{field: REDACTED})


def test_a_destroyed_cases_evidence_takes_nothing_but_the_redaction(cast, employee):
    case = formal_case(cast, employee)
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    decisions = PanelDecision.objects.filter(case=case)
    with pytest.raises(IntegrityError), transaction.atomic():
        decisions.update(rationale="Rewritten after the fact.")
    with pytest.raises(IntegrityError), transaction.atomic():
        decisions.update(outcome="no_further_action")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.filter(case=case).delete()


def test_an_audit_event_of_a_live_case_cannot_be_redacted(cast, employee):
    case = formal_case(cast, employee)
    event = AuditEvent.objects.filter(case=case).exclude(reason="").first()
    assert event is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(
            reason="", payload=REDACTED_PAYLOAD, redacted_at=timezone.now()
        )
    assert connection.vendor == "postgresql"
