"""CSV text builders and a database snapshot for the reference data tests."""

from __future__ import annotations

from typing import Any

import pytest

from core.csv_import import ImportFailed
from staff.models import Employee, OrgUnit

ORG_HEADER = "code,name,parent_code,kind"
EMPLOYEE_HEADER = (
    "staff_number,name,job_title,band,org_unit,line_manager_staff_number,ethnic_category"
)

Snapshot = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def csv_lines(header: str, *rows: str) -> str:
    """The header is line 1, so the first row is line 2, as the errors count."""
    return "\n".join([header, *rows]) + "\n"


def org_csv(*rows: str) -> str:
    return csv_lines(ORG_HEADER, *rows)


def employee_csv(*rows: str) -> str:
    return csv_lines(EMPLOYEE_HEADER, *rows)


def snapshot() -> Snapshot:
    """Every org unit and employee column, to show that an import changed nothing."""
    units = OrgUnit.objects.order_by("code").values_list("code", "name", "kind", "parent")
    people = Employee.objects.order_by("staff_number").values_list(
        "staff_number",
        "name",
        "job_title",
        "band",
        "org_unit",
        "line_manager",
        "ethnic_category",
    )
    return list(units), list(people)


def where(failure: pytest.ExceptionInfo[ImportFailed]) -> list[tuple[int, str | None]]:
    """The (line, column) of every reported error, in the order reported."""
    return [(e.line, e.column) for e in failure.value.errors]


def messages(failure: pytest.ExceptionInfo[ImportFailed]) -> dict[tuple[int, str | None], str]:
    return {(e.line, e.column): e.message for e in failure.value.errors}
