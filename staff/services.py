"""Writes about reference data that are not imports.

An employee's ethnic category is special-category data (UK GDPR). A case
page records each showing of the case's snapshot through
``audit.services.personal_data_access_record``; an employee's own record has
no case, so its showings are recorded here, with the staff number in their
place.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.models import AuditEvent, EventType
from audit.services import audit_record

from .models import Employee


def employee_special_category_access_record(
    *, actor: Any, employee: Employee, field: str = "ethnic_category", channel: str = "admin"
) -> AuditEvent:
    """Record that ``actor`` was shown ``field`` of ``employee``'s record.

    The event names the field and the staff number, never the value, so the
    audit log (and its exports) carry no ethnicity.
    """
    with transaction.atomic():
        return audit_record(
            case=None,
            actor=actor,
            action=EventType.VIEW_SPECIAL_CATEGORY,
            payload={"field": field, "employee": employee.staff_number, "channel": channel},
        )
