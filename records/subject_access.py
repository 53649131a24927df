"""Subject access: everything the product holds about one employee, for HR to release.

UK GDPR Article 15 gives an employee a copy of their personal data; HR
answers within one month (Article 12(3)). ``subject_access_pack`` gathers
the employee's record, their cases (with their own ethnic category), each
case's path, the panel's views and decisions, sign-offs, the notifications
to them and about their cases, and the access-log entries naming them
(``subject_access_collect``); names others by the pack's rules
(``subject_access_redact``, the trust's ``sar_name_staff_in_role``); writes a
cover PDF and CSVs into a ZIP (``subject_access_render``); and records, in
the same transaction, each showing of the ethnic category and the pack
itself (its counts and SHA-256, no names). docs/subject-access.md.

The web page (``web.subject_access``) and ``manage.py subject_access`` both
call this one service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record, personal_data_access_record
from core.errors import NotAllowed, ValidationFailed
from staff.models import Employee
from staff.services import employee_special_category_access_record
from tenancy.policy import trust_policy
from workflow.access import SubjectAccessProduce

from .subject_access_collect import (
    SUBJECT_ACCESS_EXPORT,
    SUBJECT_ACCESS_LABEL,
    Held,
    subject_access_collect,
)
from .subject_access_redact import PersonRole, Redaction
from .subject_access_render import cover_for, pack_zip

if TYPE_CHECKING:
    from accounts.types import Actor

__all__ = ["EVENT_TYPES", "REFUSAL", "SubjectAccessPack", "subject_access_pack"]

EVENT_TYPES = ((SUBJECT_ACCESS_EXPORT, SUBJECT_ACCESS_LABEL),)
REFUSAL = "Only HR advisers produce subject access packs, and never for their own record."
CHANNEL = "subject_access"
REFERENCE_MAX_LENGTH = 64


@dataclass(frozen=True)
class SubjectAccessPack:
    """A produced pack: the ZIP's bytes, its name and SHA-256, and the rows per file."""

    filename: str
    content: bytes
    sha256: str
    counts: dict[str, int]
    event: AuditEvent


def subject_access_pack(
    *, actor: Actor, staff_number: str, request_reference: str
) -> SubjectAccessPack:
    """Produce and record the subject access pack of the employee ``staff_number``.

    Raises ``NotAllowed`` for anyone but an HR adviser (before anything is
    read) and ``ValidationFailed`` naming each field for an unknown staff
    number or a missing or overlong request reference.
    """
    if not SubjectAccessProduce.allows(actor):
        raise NotAllowed(REFUSAL)
    employee = _checked(staff_number.strip(), request_reference.strip())
    if not SubjectAccessProduce.allows(actor, employee.user_id):
        raise NotAllowed(REFUSAL)
    reference = request_reference.strip()
    redaction = Redaction(
        subject_name=employee.name,
        subject_user_id=employee.user_id,
        name_staff_in_role=trust_policy().sar_name_staff_in_role,
    )
    with transaction.atomic():
        produced_at = timezone.now()
        held = subject_access_collect(actor=actor, employee=employee, redaction=redaction)
        _record_showings(actor, held)
        cover = cover_for(
            held,
            redaction,
            request_reference=reference,
            produced_at=produced_at,
            produced_by=redaction.user(actor, PersonRole.HR_ADVISER),
        )
        content = pack_zip(held, cover)
        digest = hashlib.sha256(content).hexdigest()
        event = audit_record(
            case=None,
            actor=actor,
            action=SUBJECT_ACCESS_EXPORT,
            payload={
                "staff_number": employee.staff_number,
                "request_reference": reference,
                "counts": held.counts(),
                "sha256": digest,
            },
        )
    filename = f"subject-access-{employee.staff_number}-{produced_at:%Y%m%d}.zip"
    return SubjectAccessPack(filename, content, digest, held.counts(), event)


def _checked(staff_number: str, request_reference: str) -> Employee:
    errors: dict[str, list[str]] = {}
    if not request_reference:
        errors["request_reference"] = ["Give the request's reference (from the SAR log)."]
    elif len(request_reference) > REFERENCE_MAX_LENGTH:
        errors["request_reference"] = [
            f"A request reference is at most {REFERENCE_MAX_LENGTH} characters."
        ]
    employee = (
        Employee.objects.select_related("org_unit", "line_manager", "user")
        .filter(staff_number=staff_number)
        .first()
        if staff_number
        else None
    )
    if employee is None:
        errors["staff_number"] = [
            f"No employee has staff number {staff_number}."
            if staff_number
            else "Give the employee's staff number."
        ]
    if errors or employee is None:
        raise ValidationFailed(errors)
    return employee


def _record_showings(actor: Actor, held: Held) -> None:
    """The pack shows the employee their own ethnic category: each showing is
    recorded as any other is (UK GDPR Article 9 data; docs/domain/personal-data.md)."""
    if held.employee.ethnic_category:
        employee_special_category_access_record(
            actor=actor, employee=held.employee, channel=CHANNEL
        )
    for case in held.cases:
        if case.employee_ethnic_category:
            personal_data_access_record(
                user=actor, case=case, field="employee_ethnic_category", channel=CHANNEL
            )
