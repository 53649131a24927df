"""The CSV import toolkit on its own: reading, the shared checks and the error shapes.

Every file import (staff, panels, reports) is built on these; their own tests
check their columns and rules. No database is needed here.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from core.csv_import import (
    ImportFailed,
    ImportResult,
    Row,
    RowError,
    RowErrors,
    a_or_an,
    check_header,
    check_text,
    comma_list,
    max_length,
    read_csv,
    unique_rows,
)
from core.errors import DomainError

COLUMNS = ("code", "name")


def read(text: str) -> tuple[list[Row], RowErrors]:
    errors = RowErrors()
    return read_csv(text, COLUMNS, errors), errors


def test_rows_carry_stripped_values_by_lower_cased_column_and_their_line_number():
    rows, errors = read(" Name ,CODE\n  Ann , A1 \nBob,B2\n")

    assert rows == [Row(2, {"name": "Ann", "code": "A1"}), Row(3, {"name": "Bob", "code": "B2"})]
    assert rows[0]["code"] == "A1"
    assert errors == []


def test_line_numbers_are_physical_lines_counting_blank_rows_and_quoted_line_breaks():
    rows, errors = read('\ufeffcode,name\r\n\r\n,\r\nA1,"two\r\nlines"\r\nB2,Bob\r\n')

    assert [(row.line, row["code"]) for row in rows] == [(4, "A1"), (6, "B2")]
    assert rows[0]["name"] == "two\r\nlines"
    assert errors == []


def test_a_line_with_the_wrong_number_of_values_is_an_error_and_the_rest_is_still_read():
    rows, errors = read("code,name\nA1,Ann,extra\nB2\nC3,Cy\n")

    assert [row.line for row in rows] == [4]
    assert errors == [
        RowError(2, None, "has 3 values; the header has 2."),
        RowError(3, None, "has 1 values; the header has 2."),
    ]


def test_a_line_the_csv_reader_cannot_parse_is_reported_by_its_line():
    rows, errors = read(f"code,name\nA1,Ann\nB2,{'x' * 200_000}\n")

    assert [row.line for row in rows] == [2]
    assert errors == [
        RowError(3, None, "cannot be read as CSV (field larger than field limit (131072)).")
    ]


def test_a_bad_header_ends_the_import_at_once_with_every_header_error_on_line_one():
    with pytest.raises(ImportFailed) as failure:
        read("name,name,colour,\nA1,Ann,red,\n")

    assert failure.value.errors == [
        RowError(1, "code", "this column is missing; the header must name code, name."),
        RowError(1, "colour", "is not a column of this file; expected code, name."),
        RowError(1, "column 4", "is not a column of this file; expected code, name."),
        RowError(1, "name", "this column appears more than once."),
    ]


def test_an_empty_file_names_the_columns_it_needs():
    with pytest.raises(ImportFailed) as failure:
        read("")

    assert failure.value.errors == [
        RowError(1, None, "the file is empty; line 1 must name the columns code, name.")
    ]


def test_check_header_accepts_any_order_and_adds_nothing():
    errors = RowErrors()

    check_header(["name", "code"], COLUMNS, errors)

    assert errors == []


def test_unique_rows_indexes_by_key_and_reports_blank_and_repeated_keys():
    rows = [Row(2, {"code": "A1"}), Row(3, {"code": ""}), Row(4, {"code": "A1"})]
    errors = RowErrors()

    by_code = unique_rows(rows, "code", errors)

    assert by_code == {"A1": rows[0]}
    assert errors == [
        RowError(3, "code", "is required."),
        RowError(4, "code", "A1 is also on line 2."),
    ]


def test_check_text_reports_blank_required_cells_and_cells_over_their_limit():
    row = Row(7, {"code": "ABCDEF", "name": ""})
    errors = RowErrors()

    check_text(row, errors, required=["name"], limits={"code": 5, "name": 10})

    assert errors == [
        RowError(7, "name", "is required."),
        RowError(7, "code", "is longer than 5 characters."),
    ]


def test_errors_may_be_added_by_row_or_by_line_number():
    errors = RowErrors()

    errors.add(Row(5, {}), "code", "is required.")
    errors.add(1, None, "the file is empty.")

    assert errors == [RowError(5, "code", "is required."), RowError(1, None, "the file is empty.")]


def test_an_error_reads_as_line_and_column_or_line_alone():
    assert str(RowError(4, "kind", "must be one of a, b.")) == "line 4, kind: must be one of a, b."
    assert str(RowError(2, None, "has 5 values.")) == "line 2: has 5 values."


def test_a_refused_file_is_a_domain_error_listing_each_error_once_in_line_order():
    errors = [
        RowError(3, "name", "is required."),
        RowError(2, None, "has 3 values."),
        RowError(3, "code", "is required."),
        RowError(3, "name", "is required."),
    ]

    failure = ImportFailed(errors)

    assert isinstance(failure, DomainError)
    assert failure.errors == [errors[1], errors[2], errors[0]]
    assert failure.message == "Nothing was imported: 3 errors."
    assert ImportFailed([errors[0]]).message == "Nothing was imported: 1 error."


def test_an_import_result_totals_created_and_updated():
    assert ImportResult(created=2, updated=3).total == 5


def test_max_length_reads_the_limit_from_the_model_and_refuses_other_fields():
    assert max_length(User, "username") == 150
    with pytest.raises(TypeError):
        max_length(User, "is_active")


def test_the_wording_helpers():
    assert comma_list(["trust", "icsu", "department"]) == "trust, icsu, department"
    assert (a_or_an("icsu"), a_or_an("trust")) == ("an icsu", "a trust")
