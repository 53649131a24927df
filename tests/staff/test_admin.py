"""The reference data admin: ethnicity never in a list, on a record only for those
allowed to see it and every showing recorded; and no N+1."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent, EventType
from staff.models import Employee, OrgUnit

from ..factories import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:staff_employee_changelist")


def staff_client(user: Any, *codenames: str) -> Client:
    """Let ``user`` into the admin with the given staff-app permissions."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="staff", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sam(tree: dict[str, OrgUnit]) -> Employee:
    EmployeeFactory(staff_number="E100", name="Sam Nurse", ethnic_category="N")
    return Employee.objects.get(staff_number="E100")


def change_url(employee: Employee) -> str:
    return reverse("admin:staff_employee_change", args=[employee.pk])


def test_a_manager_without_the_permission_sees_no_ethnicity_in_the_list_or_form(cast, sam):
    client = staff_client(cast.manager, "view_employee", "change_employee")

    listing = client.get(CHANGELIST).content.decode()
    form = client.get(change_url(sam)).content.decode()

    assert "Sam Nurse" in listing
    for page in (listing, form):
        assert "ethnic_category" not in page
        assert "Black or Black British" not in page
        assert "Ethnic category" not in page


def showings() -> list[tuple[Any, dict[str, Any]]]:
    """Every recorded showing of special-category data: who, and the payload."""
    events = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).order_by("seq")
    return [(e.actor, e.payload) for e in events]


def test_an_hr_adviser_sees_ethnicity_on_the_record_but_never_in_the_list(cast, sam):
    client = staff_client(cast.hr, "view_employee", "change_employee")

    listing = client.get(CHANGELIST).content.decode()
    form = client.get(change_url(sam)).content.decode()

    assert "Sam Nurse" in listing
    assert "column-ethnic_category" not in listing
    assert "Black or Black British - African" not in listing
    assert 'name="ethnic_category"' in form


def test_a_superuser_sees_no_ethnicity_in_the_employee_list(admin_client, sam):
    listing = admin_client.get(CHANGELIST).content.decode()

    assert "Sam Nurse" in listing
    assert "column-ethnic_category" not in listing
    assert "Black or Black British - African" not in listing
    assert showings() == []


def test_a_superuser_sees_ethnicity_on_the_record_and_each_showing_is_recorded(
    admin_client, admin_user, sam
):
    first = admin_client.get(change_url(sam)).content.decode()
    admin_client.get(change_url(sam))

    assert 'name="ethnic_category"' in first
    # Each showing once, naming the field and the person, never the value.
    assert (
        showings()
        == [
            (admin_user, {"field": "ethnic_category", "employee": "E100", "channel": "admin"}),
        ]
        * 2
    )
    assert AuditEvent.objects.latest("seq").case is None


def test_an_invalid_save_shows_the_form_again_and_that_showing_is_recorded(cast, sam):
    client = staff_client(cast.hr, "view_employee", "change_employee")

    response = client.post(change_url(sam), {"staff_number": "E100", "name": ""})

    assert response.status_code == 200
    assert [actor for actor, _ in showings()] == [cast.hr]


def test_a_record_shown_without_ethnicity_records_no_showing(cast, sam):
    client = staff_client(cast.manager, "view_employee", "change_employee")

    assert client.get(change_url(sam)).status_code == 200
    assert showings() == []


@pytest.mark.parametrize(
    "lookup",
    ["ethnic_category", "ethnic_category__in", "ethnic_category__exact", "ethnic_category__gte"],
)
def test_nobody_can_filter_the_employee_list_by_ethnicity(admin_client, cast, sam, lookup):
    # Without this, the list would be an oracle: filter by a code, read the names.
    EmployeeFactory(staff_number="E200", name="Rita Sister", ethnic_category="A")
    clerk = staff_client(cast.manager, "view_employee")

    for client in (admin_client, clerk):
        response = client.get(CHANGELIST, {lookup: "N"})
        assert response.status_code == 400
        assert "Sam Nurse" not in response.content.decode()


def test_saving_without_the_permission_keeps_the_stored_category_and_ignores_a_forged_one(
    cast, sam
):
    client = staff_client(cast.manager, "view_employee", "change_employee")
    form = {
        "staff_number": sam.staff_number,
        "name": sam.name,
        "job_title": "Senior Staff Nurse",
        "band": "6",
        "org_unit": sam.org_unit_id,
        "line_manager": "",
        "ethnic_category": "A",
    }

    response = client.post(change_url(sam), form)

    assert response.status_code == 302
    sam.refresh_from_db()
    assert (sam.job_title, sam.band, sam.ethnic_category) == ("Senior Staff Nurse", "6", "N")


def test_a_view_only_user_without_the_permission_sees_no_ethnicity(cast, sam):
    client = staff_client(cast.governance, "view_employee")

    assert "Black or Black British" not in client.get(change_url(sam)).content.decode()


def test_the_employee_list_costs_the_same_queries_for_many_rows_as_for_one(admin_client, tree):
    EmployeeFactory()
    # A session's first request may write to it (an activity stamp): not the list's cost.
    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(CHANGELIST)
    for n in range(5):
        unit = OrgUnitFactory(code=f"DEP-{n}", kind="department", parent=tree["icsu"])
        EmployeeFactory(org_unit=unit)
    with CaptureQueriesContext(connection) as six:
        response = admin_client.get(CHANGELIST)

    assert response.content.decode().count("DEP-") >= 5
    assert len(six) == len(one)


def test_employees_are_found_by_staff_number_or_name_and_filtered_by_band(admin_client, sam):
    EmployeeFactory(staff_number="E200", name="Rita Sister", band="7")

    by_number = admin_client.get(CHANGELIST, {"q": "E100"}).content.decode()
    by_name = admin_client.get(CHANGELIST, {"q": "rita"}).content.decode()
    by_band = admin_client.get(CHANGELIST, {"band": "7"}).content.decode()
    by_kind = admin_client.get(CHANGELIST, {"org_unit__kind": "icsu"}).content.decode()

    assert "Sam Nurse" in by_number
    assert "Rita Sister" not in by_number
    assert "Rita Sister" in by_name
    assert "Sam Nurse" not in by_name
    assert "Rita Sister" in by_band
    assert "Sam Nurse" not in by_band
    assert "Sam Nurse" not in by_kind  # Sam's unit is a department


def test_org_units_are_listed_searched_and_filtered_by_kind(admin_client, tree):
    url = reverse("admin:staff_orgunit_changelist")

    listing = admin_client.get(url).content.decode()
    icsus = admin_client.get(url, {"kind": "icsu"}).content.decode()
    searched = admin_client.get(url, {"q": "emergency"}).content.decode()

    assert all(code in listing for code in ("TRUST", "ICSU-MED", "DEP-ED"))
    assert "ICSU-MED" in icsus
    assert "DEP-ED" not in icsus
    assert "DEP-ED" in searched
    assert ">TRUST<" not in searched


def test_the_org_unit_form_refuses_a_parent_of_the_wrong_kind(admin_client, tree):
    url = reverse("admin:staff_orgunit_add")
    form = {"code": "DEP-X", "name": "X", "kind": "department", "parent": tree["trust"].pk}

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert "A department&#x27;s parent must be an ICSU." in response.content.decode()
    assert not OrgUnit.objects.filter(code="DEP-X").exists()


def test_the_org_unit_form_refuses_a_department_without_a_parent(admin_client, tree):
    url = reverse("admin:staff_orgunit_add")

    response = admin_client.post(url, {"code": "DEP-X", "name": "X", "kind": "department"})

    assert response.status_code == 200
    assert "A department&#x27;s parent must be an ICSU." in response.content.decode()
    assert not OrgUnit.objects.filter(code="DEP-X").exists()


def test_the_org_unit_form_refuses_a_trust_with_a_parent(admin_client, tree):
    url = reverse("admin:staff_orgunit_add")
    form = {"code": "T2", "name": "Trust 2", "kind": "trust", "parent": tree["trust"].pk}

    response = admin_client.post(url, form)

    assert "A trust is the top of the tree and has no parent." in response.content.decode()
    assert not OrgUnit.objects.filter(code="T2").exists()


def test_the_org_unit_form_saves_a_department_under_an_icsu(admin_client, tree):
    url = reverse("admin:staff_orgunit_add")
    form = {"code": "DEP-X", "name": "X", "kind": "department", "parent": tree["icsu"].pk}

    assert admin_client.post(url, form).status_code == 302
    assert OrgUnit.objects.get(code="DEP-X").parent == tree["icsu"]
