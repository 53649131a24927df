"""Each import is one audit event with counts only; a rejected file leaves none."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent, EventType
from core.csv_import import ImportFailed
from staff.importers import employees_import, org_units_import

from .helpers import employee_csv, org_csv

pytestmark = pytest.mark.django_db


def test_an_import_is_one_event_about_no_case_with_counts_only(tree):
    org_units_import(text=org_csv("DEP-CARD,Cardiology,ICSU-MED,department"))
    employees_import(text=employee_csv("E1,Ada Lovelace,Staff Nurse,5,DEP-CARD,,A"))

    events = list(AuditEvent.objects.filter(action=EventType.IMPORT).order_by("seq"))
    assert [(e.case, e.actor, e.payload) for e in events] == [
        (None, None, {"kind": "org_units", "created": 1, "updated": 0}),
        (None, None, {"kind": "employees", "created": 1, "updated": 0}),
    ]
    assert "Ada" not in str(events[1].payload)


def test_a_rejected_file_leaves_no_event(tree):
    with pytest.raises(ImportFailed):
        employees_import(text=employee_csv("E1,Ada Lovelace,Staff Nurse,99,NOPE,,Z"))
    assert not AuditEvent.objects.exists()
