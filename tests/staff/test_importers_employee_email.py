"""The ESR employee import's optional email column: single sign-on links a
login to its employee record by it when the provider sends no staff number."""

from __future__ import annotations

import pytest

from core.csv_import import ImportFailed
from staff.importers import employees_import
from staff.models import Employee

from .helpers import EMPLOYEE_HEADER, csv_lines, messages

WITH_EMAIL = EMPLOYEE_HEADER + ",email"


@pytest.mark.django_db
def test_emails_are_loaded_in_lower_case_when_the_column_is_there(tree):
    text = csv_lines(
        WITH_EMAIL,
        "E1,Mo Matron,Matron,8A,ICSU-MED,,,Mo.Matron@NHS.net",
        "E2,Rita Sister,Ward Sister,7,DEP-ED,E1,,",
    )
    employees_import(text=text)
    assert dict(Employee.objects.values_list("staff_number", "email")) == {
        "E1": "mo.matron@nhs.net",
        "E2": "",
    }


@pytest.mark.django_db
def test_a_file_without_the_column_leaves_the_emails_loaded_alone(tree):
    employees_import(text=csv_lines(WITH_EMAIL, "E1,Mo Matron,Matron,8A,ICSU-MED,,,mo@nhs.net"))
    employees_import(text=csv_lines(EMPLOYEE_HEADER, "E1,Mo Matron,Chief Nurse,8A,ICSU-MED,,"))
    mo = Employee.objects.get(staff_number="E1")
    assert (mo.job_title, mo.email) == ("Chief Nurse", "mo@nhs.net")


@pytest.mark.django_db
def test_something_that_is_not_an_address_is_refused_without_echoing_it(tree):
    text = csv_lines(WITH_EMAIL, "E1,Mo Matron,Matron,8A,ICSU-MED,,,mo at nhs dot net")
    with pytest.raises(ImportFailed) as failure:
        employees_import(text=text)
    assert messages(failure) == {(2, "email"): "is not an email address."}
    assert not Employee.objects.exists()
