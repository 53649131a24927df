"""How long a case file is kept, and destroying it when its time is up.

The schedule (the trust's ``trust_policy().retention_years``; default
``FTP_RETENTION_YEARS``, config/settings.py) keeps a closed case
file a number of whole years by its class, counted from its closure: a case
closed without a formal investigation from ``closed_at``; a case that went to
formal investigation from ``formal_concluded_at``, when its formal process
(``formal``, docs/formal-process.md) concluded. Open cases, and formal cases
whose process is still under way, are never due. Source and defaults:
docs/retention.md.

``case_destroy`` is what an HR adviser confirms. The case row stays as a
*tombstone*, so its reference stays unique, every audit event's case still
resolves and the chain still verifies; everything personal goes:

* on the case: the employee (link and snapshot), the referrer's text (the
  concern, the informal steps), triage and informal reasons and actions, the
  incident date and the ethnic category (its WRES group is kept instead);
* elsewhere: the just culture answers (the manager's and any panel's), the
  free text of decisions, sign-offs, declarations and views (redacted in
  place: they are the append-only evidence of ADR 0003), the case notes
  and case documents (deleted, each document's stored files once the
  destruction commits: append-only until the file is destroyed), the notifications
  about the case and its entries in bundled ones, viewflow's process and
  task data, and the text of the case's earlier audit events
  (``audit.redaction``).

Kept: reference, dates (submitted, closed, commissioned), stage, outcome,
triage route and whether informal resolution worked (the funnel), org unit,
the step spells (time at each stage) and who sat on the panels (staff acting
in their role), plus ``wres_group`` and ``wres_counted`` so every report
computed before the destruction is computed the same after it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from accounts.types import Actor
from audit.redaction import audit_case_redact
from audit.services import audit_sequence
from casefile.destruction import case_documents_remove
from casefile.models import CaseNote
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from formal.models import FormalProcess
from notifications.models import Notification, ScheduledNotice
from notifications.selectors import bundle_ids_naming
from panels.models import (
    DecisionGuideAnswers,
    Declaration,
    PanelDecision,
    PanelMeeting,
    PanelView,
)
from reports.grouping import group_expression, wres_year_of, year_start
from staff.ethnicity import wres_group
from suspensions.models import DESTROYED_REASON, Suspension, SuspensionReview
from tenancy.policy import trust_policy
from voice.models import AccountLink, EmployeeAccount, EmployeeTold
from wellbeing.models import CheckIn, CheckInSchedule
from workflow.access import RetentionManage
from workflow.models import Case, JustCultureAssessment, SignOff, Stage

# What the append-only evidence's free text becomes (records migration 0001:
# the triggers accept exactly this value, and only on a destroyed case).
REDACTED = "[destroyed]"
REASON_MAX_LENGTH = 500


class RetentionClass(enum.StrEnum):
    """A closed case file's class in the schedule (``retention_years`` keys)."""

    NO_FORMAL = "no_formal"
    FORMAL = "formal"

    @property
    def label(self) -> str:
        return {
            RetentionClass.NO_FORMAL: "Closed without a formal investigation",
            RetentionClass.FORMAL: "Formal investigation commissioned",
        }[self]

    @property
    def years(self) -> int:
        return int(trust_policy().retention_years[self.value])


def retention_class(case: Case) -> RetentionClass | None:
    """The case's class, or None while it is open or its formal process is
    under way (never due)."""
    if case.formal_commissioned_at is not None:
        # A disciplinary process still running keeps its file whole. Cases
        # that reached formal before the process was tracked here had their
        # conclusion set to their commission (formal migration 0002).
        return RetentionClass.FORMAL if case.formal_concluded_at is not None else None
    if case.stage == Stage.CLOSED:
        return RetentionClass.NO_FORMAL
    return None


def retention_start(case: Case) -> dt.date | None:
    """The day its retention is counted from (in the trust's time zone)."""
    kept = retention_class(case)
    if kept is None:
        return None
    at = case.formal_concluded_at if kept is RetentionClass.FORMAL else case.closed_at
    return timezone.localdate(at) if at is not None else None


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February falls on 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_due_on(case: Case) -> dt.date | None:
    """The first day the case file may be destroyed; None while it is open."""
    kept, start = retention_class(case), retention_start(case)
    if kept is None or start is None:
        return None
    return years_after(start, kept.years)


def case_destroy(*, case_id: int, actor: Actor, reference: str, reason: str) -> Case:
    """Destroy a case file that is due, as ``actor`` (an HR adviser) confirms
    by typing its ``reference`` and their ``reason``. One transaction, the
    case row locked; a file already destroyed, still open or not yet due is
    refused with a clear error and nothing changes."""
    if not RetentionManage.allows(actor):
        raise NotAllowed("Only an HR adviser may destroy a case file.")
    reason = reason.strip()
    _check_input(case_id, reference.strip(), reason)
    # Events still pending are chained first, outside the transaction: only
    # chained events can be redacted (audit.redaction).
    audit_sequence()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        if case is None:
            raise NotFound("There is no such case.")
        kept = _check_due(case)
        removed = _destroy(case)
        audit_case_redact(
            case=case,
            actor=actor,
            reason=reason,
            payload={"reference": case.reference, "retention_class": kept.value, **removed},
        )
    return case


def _check_input(case_id: int, reference: str, reason: str) -> None:
    errors: dict[str, list[str]] = {}
    expected = Case.objects.filter(pk=case_id).values_list("reference", flat=True).first()
    if not reference or reference.upper() != (expected or "").upper():
        errors["reference"] = ["Type the case reference exactly as shown to confirm."]
    if not reason:
        errors["reason"] = ["Say why the file is being destroyed."]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [f"Keep the reason to {REASON_MAX_LENGTH} characters."]
    if errors:
        raise ValidationFailed(errors)


def _check_due(case: Case) -> RetentionClass:
    if case.destroyed_at is not None:
        raise Conflict(f"{case.reference} was already destroyed on {case.destroyed_at:%-d %b %Y}.")
    kept, due = retention_class(case), retention_due_on(case)
    if kept is None or due is None:
        raise Conflict(
            f"{case.reference} is still open or its formal process is under way: "
            "such a case file is never destroyed."
        )
    if due > timezone.localdate():
        raise Conflict(f"{case.reference} is not due for destruction until {due:%-d %b %Y}.")
    return kept


def _destroy(case: Case) -> dict[str, Any]:
    """Blank the case, then remove or redact its personal rows; the counts."""
    case.wres_group = wres_group(case.employee_ethnic_category).value
    case.wres_counted = _carries_its_person(case)
    case.destroyed_at = case.updated_at = timezone.now()
    for name in _BLANKED:
        setattr(case, name, "")
    case.employee = None
    case.incident_date = None
    case.save()
    return {
        "removed": {
            "just_culture_answers": _delete(JustCultureAssessment.objects.filter(case=case)),
            "panel_guide_answers": _delete(
                DecisionGuideAnswers.objects.filter(decision__case=case)
            ),
            "notifications": _delete(Notification.objects.filter(case=case)),
            "bundle_entries": _drop_bundle_entries(case),
            "scheduled_notices": _delete(ScheduledNotice.objects.filter(step__case=case)),
            # Append-only until now: the trigger allows it once destroyed_at is set.
            "case_notes": _delete(CaseNote.objects.filter(case=case)),
            # The suspension register (suspensions/): its reviews (append-only;
            # their reasons can hold health details) go, each measure's reason
            # is blanked; its kind and dates stay for the reports' counts.
            "suspension_reviews": _delete(SuspensionReview.objects.filter(suspension__case=case)),
            "suspension_reasons": Suspension.objects.filter(case=case).update(
                reason=DESTROYED_REASON, lift_reason=""
            ),
            # Wellbeing check-ins (append-only too; their notes can hold health
            # details) and the case's next check-in due.
            "wellbeing_checkins": _delete(CheckIn.objects.filter(case=case)),
            "checkin_schedule": _delete(CheckInSchedule.objects.filter(case=case)),
            # The employee's own accounts (append-only; they point at their
            # documents, so before those), when they were told, their links.
            "employee_accounts": _delete(EmployeeAccount.objects.filter(case=case)),
            "employee_told": _delete(EmployeeTold.objects.filter(case=case)),
            "account_links": _delete(AccountLink.objects.filter(case=case)),
            # Documents and their versions (append-only too); the stored files
            # go after commit. Rows pointing at a document go before this line.
            "case_document_versions": case_documents_remove(case),
            # The formal process's free text (formal/): the reasons, the
            # sanction's detail, the grounds, the companion's name. Its dates,
            # choices and who was named (staff in their role) stay.
            "formal_process_text": FormalProcess.objects.filter(case=case).update(
                outcome_reason="",
                sanction_detail="",
                appeal_grounds="",
                hearing_companion_name="",
            ),
            # Why a panel meeting was cancelled is free text; its time stays.
            "meeting_cancel_reasons": PanelMeeting.objects.filter(case=case)
            .exclude(cancel_reason="")
            .update(cancel_reason=""),
        },
        "redacted": _redact_evidence(case),
        "workflow_data": _blank_flow_data(case),
    }


# The case's columns that name or describe the person or what happened.
_BLANKED = (
    "employee_staff_number",
    "employee_name",
    "employee_job_title",
    "employee_band",
    "employee_line_manager_name",
    "employee_ethnic_category",
    "concern_category",
    "summary",
    "informal_steps_tried",
    "duplicate_reason",
    "triage_reason",
    "informal_actions",
    "informal_reason",
)


def _carries_its_person(case: Case) -> bool:
    """Whether the tombstone counts its person in WRES indicator 3.

    WRES counts distinct staff entering formal investigation per unit, year
    and group (a person whose recorded category changed between two cases
    counts in each group). While a live case of the same person in the same
    cell exists it carries them; the last of those destroyed takes them
    over. So across live cases and tombstones each person counts exactly once
    per cell. This holds because a formal file is kept at least a year after
    its commissioning (the schedule's minimum), so no new case of the same
    WRES year can follow its destruction."""
    if case.formal_commissioned_at is None or case.employee_id is None:
        return False
    year = wres_year_of(timezone.localdate(case.formal_commissioned_at))
    others = (
        Case.objects.filter(
            employee_id=case.employee_id,
            employee_org_unit_id=case.employee_org_unit_id,
            destroyed_at__isnull=True,
            formal_commissioned_at__gte=year_start(year),
            formal_commissioned_at__lt=year_start(year + 1),
        )
        .exclude(pk=case.pk)
        .alias(group=group_expression("employee_ethnic_category"))
        .filter(group=wres_group(case.employee_ethnic_category).value)
    )
    return not others.exists()


def _delete(rows: Any) -> int:
    count: int = rows.delete()[0]
    return count


def _drop_bundle_entries(case: Case) -> int:
    """Take the case out of bundled deadline notices (``Notification.items``);
    a bundle left with no entries goes."""
    bundles = Notification.objects.filter(pk__in=bundle_ids_naming([case.pk])).only("pk", "items")
    dropped = 0
    for bundle in bundles:
        kept = [item for item in bundle.items if item.get("case") != case.pk]
        dropped += len(bundle.items) - len(kept)
        if kept:
            Notification.objects.filter(pk=bundle.pk).update(items=kept)
        else:
            Notification.objects.filter(pk=bundle.pk).delete()
    return dropped


def _redact_evidence(case: Case) -> dict[str, int]:
    """Redact the free text of the append-only evidence in place."""
    decisions = PanelDecision.objects.filter(case=case)
    views = PanelView.objects.filter(membership__panel__case=case)
    declarations = Declaration.objects.filter(membership__panel__case=case)
    decisions.filter(agreed_actions__isnull=False).update(agreed_actions=REDACTED)
    return {
        "decisions": decisions.update(rationale=REDACTED),
        "signoffs": SignOff.objects.filter(case=case).exclude(reason="").update(reason=REDACTED),
        "declarations": declarations.exclude(reason="").update(reason=REDACTED),
        "views": views.update(comment=REDACTED),
    }


def _blank_flow_data(case: Case) -> int:
    """viewflow's own scratch data: this flow keeps none, but a row it holds
    about the case must not outlive the file."""
    Process.objects.filter(pk=case.process_id).exclude(data={}).update(data={})
    return int(Task.objects.filter(process_id=case.process_id).exclude(data={}).update(data={}))
