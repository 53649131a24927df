"""Importing employees: bands, line managers and ethnic category (special-category data)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.csv_import import ImportFailed, ImportResult, RowError
from staff.ethnicity import EthnicCategory
from staff.importers import (
    employees_import,
    normalise_band,
    normalise_ethnic_category,
)
from staff.models import Band, Employee

from ..factories import EmployeeFactory
from .helpers import employee_csv, messages, snapshot, where

NOT_AN_ETHNIC_CODE = (
    "is not a valid NHS ethnic category code; use one of "
    "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, or leave it blank."
)


def managers() -> dict[str, str | None]:
    return dict(Employee.objects.values_list("staff_number", "line_manager__staff_number"))


@pytest.mark.django_db
def test_employees_import_with_line_managers_on_any_line(tree):
    text = employee_csv(
        "E3,Sam Nurse,Staff Nurse,Band 5,DEP-ED,E2,n",
        "E2,Rita Sister,Ward Sister,band 7,DEP-ED,E1, a ",
        "E1,Mo Matron,Matron,8A,ICSU-MED,,",
        "E4,Dr Lee,Consultant,,DEP-ED,E1,Z",
    )

    result = employees_import(text=text)

    assert result == ImportResult(created=4, updated=0)
    assert managers() == {"E1": None, "E2": "E1", "E3": "E2", "E4": "E1"}
    assert list(Employee.objects.values_list("staff_number", "band", "ethnic_category")) == [
        ("E1", Band.B8A, ""),
        ("E2", Band.B7, "A"),
        ("E3", Band.B5, "N"),
        ("E4", "", "Z"),
    ]
    sam = Employee.objects.get(staff_number="E3")
    assert (sam.name, sam.job_title, sam.org_unit) == (
        "Sam Nurse",
        "Staff Nurse",
        tree["department"],
    )


@pytest.mark.django_db
def test_reimporting_updates_by_staff_number_and_the_file_is_the_truth(tree):
    EmployeeFactory(staff_number="E1", name="Mo Matron", band="8a", ethnic_category="A")
    EmployeeFactory(staff_number="E2", name="Rita Sister", ethnic_category="N")
    Employee.objects.filter(staff_number="E2").update(
        line_manager=Employee.objects.get(staff_number="E1")
    )

    result = employees_import(
        text=employee_csv(
            "E2,Rita Sister,Senior Sister,Band 7,ICSU-MED,,",
            "E5,New Starter,HCA,Band 3,DEP-ED,E2,B",
        )
    )

    assert result == ImportResult(created=1, updated=1)
    rita = Employee.objects.get(staff_number="E2")
    assert (rita.job_title, rita.band, rita.org_unit) == ("Senior Sister", "7", tree["icsu"])
    # Blank cells clear what was stored: ESR no longer records a manager or a category.
    assert (rita.line_manager, rita.ethnic_category) == (None, "")
    assert managers()["E5"] == "E2"
    assert Employee.objects.get(staff_number="E1").ethnic_category == "A"  # not in the file


@pytest.mark.django_db
def test_a_line_manager_may_be_an_employee_loaded_earlier(tree):
    boss = EmployeeFactory.create(staff_number="E1")

    employees_import(text=employee_csv("E9,Ann Other,Porter,2,DEP-ED,E1,"))

    assert Employee.objects.get(staff_number="E9").line_manager == boss


# Rejections: every problem is listed, and nothing is written. -----------------


def reject(text: str) -> pytest.ExceptionInfo[ImportFailed]:
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        employees_import(text=text)
    assert snapshot() == before, "a rejected file must write nothing"
    return failure


@pytest.mark.django_db
def test_every_problem_is_reported_by_line_and_nothing_is_written(tree):
    EmployeeFactory(staff_number="E1", job_title="Matron")
    failure = reject(
        employee_csv(
            "E1,Mo Matron,Head of Nursing,8b,DEP-ED,,",  # a valid update, not written
            "E2,Rita Sister,Sister,Band 10,DEP-ED,E1,A",
            ",No Number,Nurse,5,DEP-ED,,",
            "E3,,,5,,,",
            "E2,Rita Again,Sister,7,DEP-ED,,",
            "E4,Pat Porter,Porter,2,DEP-NOPE,E99,Q",
        )
    )

    assert where(failure) == [
        (3, "band"),
        (4, "staff_number"),
        (5, "job_title"),
        (5, "name"),
        (5, "org_unit"),
        (6, "staff_number"),
        (7, "ethnic_category"),
        (7, "line_manager_staff_number"),
        (7, "org_unit"),
    ]
    assert messages(failure)[(6, "staff_number")] == "E2 is also on line 3."
    assert messages(failure)[(7, "org_unit")] == (
        "there is no org unit DEP-NOPE; import the org units first."
    )
    assert messages(failure)[(7, "line_manager_staff_number")] == (
        "there is no employee E99 in this file or loaded."
    )
    assert failure.value.message == "Nothing was imported: 9 errors."
    assert Employee.objects.get(staff_number="E1").job_title == "Matron"


@pytest.mark.django_db
def test_a_band_outside_agenda_for_change_is_refused_with_the_bands_allowed(tree):
    failure = reject(employee_csv("E1,Ann,Nurse,Band 10,DEP-ED,,", "E2,Bob,Nurse,8e,DEP-ED,,"))

    message = (
        "is not an Agenda for Change band; use one of 1, 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d, 9 "
        '(or "Band 5", "8A"), or leave it blank.'
    )
    assert failure.value.errors == [RowError(2, "band", message), RowError(3, "band", message)]


@pytest.mark.django_db
def test_codes_outside_the_data_dictionary_are_refused_without_echoing_the_value(tree):
    failure = reject(
        employee_csv(
            "E1,Ann,Nurse,5,DEP-ED,,I",
            "E2,Bob,Nurse,5,DEP-ED,,o",
            "E3,Cat,Nurse,5,DEP-ED,,Q",
            "E4,Dan,Nurse,5,DEP-ED,,White British",
            "E5,Eve,Nurse,5,DEP-ED,,AB",
        )
    )

    # The same words whatever was written: the rejected value is special-category data.
    assert failure.value.errors == [
        RowError(line, "ethnic_category", NOT_AN_ETHNIC_CODE) for line in range(2, 7)
    ]


@pytest.mark.django_db
def test_an_employee_cannot_manage_themself(tree):
    failure = reject(employee_csv("E1,Ann,Nurse,5,DEP-ED,E1,"))

    assert failure.value.errors == [
        RowError(2, "line_manager_staff_number", "an employee cannot be their own line manager.")
    ]


@pytest.mark.django_db
def test_a_loop_of_line_managers_in_the_file_is_reported_once(tree):
    failure = reject(
        employee_csv(
            "E1,Ann,Nurse,5,DEP-ED,E2,",
            "E2,Bob,Sister,6,DEP-ED,E3,",
            "E3,Cat,Matron,8a,DEP-ED,E1,",
            "E4,Dan,Nurse,5,DEP-ED,E1,",  # reports into the loop but is not part of it
        )
    )

    assert failure.value.errors == [
        RowError(
            2,
            "line_manager_staff_number",
            "this makes a loop of line managers: E1 -> E2 -> E3 -> E1.",
        )
    ]


@pytest.mark.django_db
def test_a_loop_closed_through_a_loaded_employee_is_refused(tree):
    boss = EmployeeFactory.create(staff_number="E1")
    EmployeeFactory(staff_number="E2", line_manager=boss)

    failure = reject(employee_csv("E1,Ann,Director,9,ICSU-MED,E2,"))

    assert failure.value.errors == [
        RowError(
            2, "line_manager_staff_number", "this makes a loop of line managers: E1 -> E2 -> E1."
        )
    ]


@pytest.mark.django_db
def test_cells_longer_than_the_database_allows_are_refused(tree):
    failure = reject(employee_csv(f"{'9' * 33},{'n' * 201},{'j' * 201},5,DEP-ED,,"))

    assert where(failure) == [(2, "job_title"), (2, "name"), (2, "staff_number")]


@pytest.mark.django_db
def test_names_and_ethnic_categories_never_reach_the_log_or_the_errors(tree, caplog):
    caplog.set_level(logging.DEBUG)
    employees_import(text=employee_csv("E1,Zebedee Quartermaine,Matron,8a,DEP-ED,,M"))
    with pytest.raises(ImportFailed) as failure:
        employees_import(text=employee_csv("E2,Yolanda Pemberton,Nurse,5,NOWHERE,,Q"))

    said = caplog.text + "\n".join(str(e) for e in failure.value.errors)
    assert "Employee import: 1 created, 0 updated." in caplog.text
    for secret in ("Zebedee", "Quartermaine", "Yolanda", "Pemberton", "Black", ",M", ",Q"):
        assert secret not in said


# Normalising cells -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("5", "5"),
        ("Band 5", "5"),
        ("band 8A", "8a"),
        ("BAND8a", "8a"),
        ("8A", "8a"),
        ("8 b", "8b"),
        (" AfC Band 9 ", "9"),
        ("", ""),
        ("  ", ""),
        ("Band", None),
        ("10", None),
        ("8e", None),
        ("Band 0", None),
        ("five", None),
    ],
)
def test_bands_are_read_in_the_forms_people_write_them(cell, stored):
    assert normalise_band(cell) == stored


@given(code=st.sampled_from(list(EthnicCategory)), case=st.booleans(), pad=st.text(" \t"))
def test_every_ethnic_category_code_is_accepted_whatever_its_case_and_padding(code, case, pad):
    cell = pad + (code.value.lower() if case else code.value) + pad

    assert normalise_ethnic_category(cell) == code.value


@given(cell=st.text())
def test_any_other_cell_becomes_blank_or_a_refusal(cell):
    result = normalise_ethnic_category(cell)

    assert result in {*EthnicCategory.values, "", None}
    if result:
        assert cell.strip() in {result, result.lower()}
    if result == "":
        assert cell.strip() == ""


@pytest.mark.parametrize("cell", ["I", "o", "Q", "\u017f", "AB", "White", "0"])
def test_letters_the_data_dictionary_does_not_use_are_refused(cell):
    assert normalise_ethnic_category(cell) is None
