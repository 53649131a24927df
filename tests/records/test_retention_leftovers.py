"""Nothing of a destroyed case file's personal data is left anywhere in the
database, but in the person's own staff record (which is not the file's).

Every table is read whole, as JSON, and searched for each piece of text the
file held, so a table added later that copies some of it is found too."""

from __future__ import annotations

from typing import Any

import time_machine
from django.db import connection

from audit.services import audit_sequence, personal_data_access_record
from workflow.models import Case

from ..formal.steps import formal_concluded
from ..workflow.steps import (
    DECLINE_REASON,
    INFORMAL_ACTIONS,
    PANEL_REASON,
    RATIONALE,
    VIEW_COMMENT,
    Story,
)
from .test_retention import destroy
from .world import LATER, at

# The person's staff record holds their name and number; it is not the file.
NOT_THE_FILE = {"staff_employee"}


def tables_holding(text: str) -> set[str]:
    found = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                f'SELECT 1 FROM "{table}" t WHERE row_to_json(t)::text ILIKE %s LIMIT 1',  # noqa: S608 - names from the catalogue
                [f"%{text}%"],
            )
            if cursor.fetchone():
                found.add(table)
    return found - NOT_THE_FILE


def test_no_text_of_a_destroyed_file_is_left_anywhere(cast: Any, employee: Any) -> None:
    with at(2024, 6, 3):
        case = formal_concluded(Story(cast, employee))
        personal_data_access_record(user=cast.hr, case=case, field="ethnic_category")
    audit_sequence()
    case = Case.objects.get(pk=case.pk)
    held = {
        case.summary,
        case.informal_steps_tried,
        case.employee_name,
        case.employee_staff_number,
        case.employee_job_title,
        PANEL_REASON,
        INFORMAL_ACTIONS,
        RATIONALE,
        VIEW_COMMENT,
        DECLINE_REASON,
    } - {""}
    assert all(tables_holding(text) for text in (case.summary, RATIONALE))  # the search finds
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    assert {text: tables_holding(text) for text in held} == {text: set() for text in held}
