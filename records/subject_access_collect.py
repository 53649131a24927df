"""What the product holds about one employee, as the rows of a subject access pack.

Read-only: the service (``records.subject_access``) records what was read.
Every cell that names a person other than the requester goes through
``Redaction`` (``records.subject_access_redact``); no other employee's
record is ever read, so no other employee's staff number or ethnic category
can reach a row.

Bounded: the employee's cases are read a batch at a time
(``subject_access_cases``); notifications and access-log entries are
streamed in chunks, the roles of the people they name read once a chunk.
One person's records are small, but nothing here grows with the whole table
in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from accounts.roles import roles_load
from audit.models import AuditEvent, EventType
from notifications.models import Kind, Notification
from notifications.selectors import bundle_ids_naming
from staff.models import Employee
from workflow.models import Case

from .subject_access_casefile import COLUMNS as CASE_FILE_COLUMNS
from .subject_access_casefile import PackedFile, case_file_rows, people_in_case_file
from .subject_access_cases import (
    Row,
    case_batches,
    case_row,
    day,
    decision_rows,
    employee_row,
    history_rows,
    named,
    people_on,
    role_of,
    roles_on,
    when,
)
from .subject_access_redact import WITHHELD_CASE, PersonRole, Redaction

if TYPE_CHECKING:
    from accounts.types import Actor

# The audit event a pack's production appends (registered in RecordsConfig.ready).
SUBJECT_ACCESS_EXPORT = "subject_access_export"
SUBJECT_ACCESS_LABEL = "Subject access pack produced"

CHUNK = 500

# Each file's columns, in the pack's order. A file is written with its
# header even when it has no rows.
FILES: dict[str, tuple[str, ...]] = {
    "employee_record.csv": (
        "staff_number",
        "name",
        "job_title",
        "band",
        "department",
        "line_manager",
        "ethnic_category",
        "login",
    ),
    "cases.csv": (
        "reference",
        "submitted_at",
        "stage",
        "outcome",
        "staff_number",
        "name",
        "job_title",
        "band",
        "department",
        "line_manager",
        "ethnic_category",
        "concern_category",
        "incident_date",
        "summary",
        "informal_steps_tried",
        "triage_route",
        "triage_reason",
        "redirect_policy",
        "informal_resolved",
        "informal_actions",
        "informal_reason",
        "referred_by",
        "closed_at",
        "formal_commissioned_at",
    ),
    "case_history.csv": (
        "case_reference",
        "at",
        "entry",
        "what",
        "from_stage",
        "to_stage",
        "by",
        "reason",
        "due_on",
        "left_at",
    ),
    "decisions.csv": (
        "case_reference",
        "at",
        "kind",
        "by",
        "outcome",
        "reasons",
        "agreed_actions",
        "just_culture_guide",
    ),
    "notifications.csv": (
        "created_at",
        "kind",
        "addressed_to",
        "case_reference",
        "step",
        "due_on",
        "channel",
        "status",
        "sent_at",
        "read_at",
    ),
    "access_log.csv": ("at", "who", "event", "field", "channel", "case_reference"),
    # Documents (each version; its file under case-file/), case notes, letters sent.
    "case_file.csv": CASE_FILE_COLUMNS,
}

_KINDS = dict(Kind.choices)


@dataclass
class Held:
    """The pack's rows, file by file, and the cases whose ethnic category
    (the requester's own) they show."""

    employee: Employee
    rows: dict[str, list[Row]] = field(default_factory=lambda: {name: [] for name in FILES})
    cases: list[Case] = field(default_factory=list)
    # The case file's documents, each version's file at its path in the pack.
    files: list[PackedFile] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


def subject_access_collect(*, actor: Actor, employee: Employee, redaction: Redaction) -> Held:
    """Everything held about ``employee`` that a pack carries, redacted."""
    held = Held(employee=employee)
    held.rows["employee_record.csv"].append(employee_row(employee, redaction))
    roles_by_case: dict[int, dict[int, PersonRole]] = {}
    for batch in case_batches(actor, employee):
        users = [u for case in batch for u in (*people_on(case), *people_in_case_file(case))]
        roles_load(users)
        for case in batch:
            roles = roles_on(case)
            roles_by_case[case.pk] = roles
            held.cases.append(case)
            held.rows["cases.csv"].append(case_row(case, redaction, roles))
            held.rows["case_history.csv"] += history_rows(case, redaction, roles)
            held.rows["decisions.csv"] += decision_rows(case, redaction, roles)
            case_file, packed = case_file_rows(case, redaction, roles)
            held.rows["case_file.csv"] += case_file
            held.files += packed
    references = {case.pk: case.reference for case in held.cases}
    held.rows["notifications.csv"] = list(
        _notification_rows(employee, references, roles_by_case, redaction)
    )
    held.rows["access_log.csv"] = list(_access_rows(employee, references, roles_by_case, redaction))
    return held


# --- notifications --------------------------------------------------------------------


def _notifications(employee: Employee, case_ids: list[int]) -> QuerySet[Notification]:
    """Notifications to the employee's own login, about their cases, and the
    bundles of due steps that list one of their cases."""
    about = Q(case_id__in=case_ids) | Q(pk__in=bundle_ids_naming(case_ids))
    if employee.user_id is not None:
        about |= Q(recipient_id=employee.user_id)
    return (
        Notification.objects.filter(about)
        .select_related("recipient")
        .prefetch_related("deliveries")
        .order_by("created_at", "id")
    )


def _chunks(rows: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _notification_rows(
    employee: Employee,
    references: dict[int, str],
    roles_by_case: dict[int, dict[int, PersonRole]],
    redaction: Redaction,
) -> Iterator[Row]:
    found = _notifications(employee, list(references)).iterator(chunk_size=CHUNK)
    for chunk in _chunks(found):
        roles_load([n.recipient for n in chunk])  # one query per chunk, not per row
        for notification in chunk:
            roles = _roles_for(notification, roles_by_case)
            yield from _delivery_rows(notification, references, redaction, roles)


def _named_cases(notification: Notification) -> list[int]:
    """The cases a notification is about: its own, or a bundle's items'."""
    ids = [item.get("case") for item in notification.items] or [notification.case_id]
    return [i for i in ids if i is not None]


def _roles_for(
    notification: Notification, roles_by_case: dict[int, dict[int, PersonRole]]
) -> dict[int, PersonRole]:
    """The capacities people held on the requester's cases a notification names
    (a bundle to a panel member names them in their seat)."""
    roles: dict[int, PersonRole] = {}
    for case_id in _named_cases(notification):
        for user_id, role in roles_by_case.get(case_id, {}).items():
            roles.setdefault(user_id, role)
    return roles


def _delivery_rows(
    notification: Notification,
    references: dict[int, str],
    redaction: Redaction,
    roles: dict[int, PersonRole],
) -> Iterator[Row]:
    """One row per channel the notification went by (one row if none yet)."""
    recipient = notification.recipient
    head = (
        when(notification.created_at),
        _KINDS.get(notification.kind, notification.kind),
        redaction.user(recipient, role_of(recipient, roles)),
        _case_of(notification, references),
        notification.step,
        day(notification.due_on),
    )
    read = when(notification.read_at)
    deliveries = list(notification.deliveries.all())
    if not deliveries:
        yield (*head, "", "", "", read)
    for delivery in deliveries:
        status = delivery.get_status_display()
        yield (*head, delivery.get_channel_display(), status, when(delivery.sent_at), read)


def _case_of(notification: Notification, references: dict[int, str]) -> str:
    """The requester's case references a notification names; others' withheld."""
    ids = _named_cases(notification)
    shown = sorted({references[i] for i in ids if i in references})
    if any(i not in references for i in ids):
        shown.append(WITHHELD_CASE)
    return "; ".join(shown)


# --- the access log -------------------------------------------------------------------


def _access_rows(
    employee: Employee,
    references: dict[int, str],
    roles_by_case: dict[int, dict[int, PersonRole]],
    redaction: Redaction,
) -> Iterator[Row]:
    """Who was shown the employee's special-category data, and who produced
    their subject access packs: the log's entries naming them. (The product
    does not log ordinary page views of a case.)"""
    showings = Q(action=EventType.VIEW_SPECIAL_CATEGORY) & (
        Q(case_id__in=list(references)) | Q(payload__employee=employee.staff_number)
    )
    packs = Q(action=SUBJECT_ACCESS_EXPORT, payload__staff_number=employee.staff_number)
    events = (
        AuditEvent.objects.filter(showings | packs).select_related("actor").order_by("at", "id")
    )
    for chunk in _chunks(events.iterator(chunk_size=CHUNK)):
        roles_load([e.actor for e in chunk if e.actor is not None])
        for event in chunk:
            roles = roles_by_case.get(event.case_id or 0, {})
            yield (
                when(event.at),
                named(event.actor, redaction, roles),
                event.type_label,
                event.payload.get("field", ""),
                event.payload.get("channel", ""),
                references.get(event.case_id, "") if event.case_id else "",
            )
