"""Reading a CSV as Excel and ESR write it: headers, byte-order marks, line numbers."""

from __future__ import annotations

import pytest

from core.csv_import import ImportFailed, RowError
from staff.importers import employees_import, org_units_import
from staff.models import OrgUnit

from .helpers import org_csv, snapshot, where

pytestmark = pytest.mark.django_db


def test_a_missing_column_is_reported_once_on_the_header_line_not_on_every_row():
    text = "code,name,kind\nTRUST,Demo,trust\nICSU-MED,Medicine,icsu\n"

    with pytest.raises(ImportFailed) as failure:
        org_units_import(text=text)

    assert failure.value.errors == [
        RowError(
            1,
            "parent_code",
            "this column is missing; the header must name code, name, parent_code, kind.",
        )
    ]
    assert not OrgUnit.objects.exists()


def test_every_missing_column_of_the_employee_file_is_named():
    with pytest.raises(ImportFailed) as failure:
        employees_import(text="staff_number,name,job_title,org_unit\nE1,Ann,Nurse,DEP-ED\n")

    assert where(failure) == [
        (1, "band"),
        (1, "ethnic_category"),
        (1, "line_manager_staff_number"),
    ]


def test_an_unexpected_or_repeated_column_is_refused():
    text = "code,name,parent_code,kind,cost_centre,name,\nTRUST,Demo,,trust,C1,Demo,\n"

    with pytest.raises(ImportFailed) as failure:
        org_units_import(text=text)

    assert failure.value.errors == [
        RowError(
            1, "column 7", "is not a column of this file; expected code, name, parent_code, kind."
        ),
        RowError(
            1,
            "cost_centre",
            "is not a column of this file; expected code, name, parent_code, kind.",
        ),
        RowError(1, "name", "this column appears more than once."),
    ]


def test_an_empty_file_is_refused_with_the_columns_it_needs():
    with pytest.raises(ImportFailed) as failure:
        org_units_import(text="")

    assert failure.value.errors == [
        RowError(
            1,
            None,
            "the file is empty; line 1 must name the columns code, name, parent_code, kind.",
        )
    ]


def test_column_names_may_differ_in_case_and_spacing_and_come_in_any_order():
    org_units_import(text=" Kind ,CODE,Parent_Code,name\ntrust,TRUST,,Demo NHS Trust\n")

    assert OrgUnit.objects.get().name == "Demo NHS Trust"


def test_the_byte_order_mark_excel_writes_is_ignored():
    org_units_import(text="\ufeff" + org_csv("TRUST,Demo NHS Trust,,trust"))

    assert OrgUnit.objects.get().code == "TRUST"


def test_windows_line_endings_are_read():
    org_units_import(text="code,name,parent_code,kind\r\nTRUST,Demo,,trust\r\n")

    assert OrgUnit.objects.get().code == "TRUST"


def test_line_numbers_are_physical_lines_counting_blank_lines_and_quoted_line_breaks():
    text = org_csv(
        "TRUST,Demo NHS Trust,,trust",
        "",
        ",,,",
        'ICSU-MED,"Medicine,',
        'and Urgent Care",TRUST,icsu',
        "DEP-ED,Emergency Department,ICSU-MED,ward",
    )

    with pytest.raises(ImportFailed) as failure:
        org_units_import(text=text)

    # Blank lines and Excel's empty ",,," rows are skipped but still counted.
    assert where(failure) == [(7, "kind")]


def test_a_row_with_too_many_or_too_few_values_is_reported_and_the_rest_still_checked():
    before = snapshot()
    text = org_csv("TRUST,Demo,,trust,extra", "ICSU-MED,Medicine", "DEP-ED,ED,ICSU-MED,ward")

    with pytest.raises(ImportFailed) as failure:
        org_units_import(text=text)

    assert failure.value.errors == [
        RowError(2, None, "has 5 values; the header has 4."),
        RowError(3, None, "has 2 values; the header has 4."),
        RowError(4, "kind", "must be one of trust, icsu, department."),
    ]
    assert str(failure.value.errors[0]) == "line 2: has 5 values; the header has 4."
    assert str(failure.value.errors[2]) == "line 4, kind: must be one of trust, icsu, department."
    assert snapshot() == before
