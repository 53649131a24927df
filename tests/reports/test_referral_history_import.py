"""import_referral_history: referrals from before the product, with the
employee's org unit and ethnic category copied from their record; every
error by line and nothing written on any; the same file twice adds nothing;
one audit event per import; a trust's rows are its own."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from audit.models import AuditEvent, EventType
from core.csv_import import ImportFailed
from reports.models import ReferralHistory
from reports.referral_import import referral_history_import
from tenancy.context import trust_entered

from ..factories import EmployeeFactory, make_user
from .conftest import csv_text

REF = "referred_on,manager_staff_number,employee_staff_number,entered_formal"


@pytest.fixture
def people(units) -> dict[str, Any]:
    return {
        "manager": EmployeeFactory(staff_number="M001", org_unit=units["the"], ethnic_category="A"),
        "ann": EmployeeFactory(staff_number="E001", org_unit=units["ed"], ethnic_category="N"),
        "bob": EmployeeFactory(staff_number="E002", org_unit=units["amu"], ethnic_category=""),
    }


def stored() -> list[tuple[Any, ...]]:
    return list(
        ReferralHistory.objects.order_by("referred_on", "employee__staff_number").values_list(
            "referred_on",
            "manager__staff_number",
            "employee__staff_number",
            "entered_formal",
            "org_unit__code",
            "ethnic_category",
        )
    )


def imports() -> int:
    return AuditEvent.objects.filter(action=EventType.IMPORT).count()


def errors_of(text: str) -> list[str]:
    before = (stored(), AuditEvent.objects.count())
    with pytest.raises(ImportFailed) as info:
        referral_history_import(text=text)
    assert (stored(), AuditEvent.objects.count()) == before
    return [str(e) for e in info.value.errors]


GOOD = csv_text(
    REF,
    "2023-05-02,M001,E001,yes",
    "02/06/2023,M001,E002,No",
    "2024-01-10,M001,E001,no",
)


def test_a_valid_file_is_loaded_with_the_employees_unit_and_category(people):
    result = referral_history_import(text=GOOD)
    assert (result.rows, result.created, result.already) == (3, 3, 0)
    assert stored() == [
        (dt.date(2023, 5, 2), "M001", "E001", True, "DEP-ED", "N"),
        (dt.date(2023, 6, 2), "M001", "E002", False, "DEP-AMU", ""),
        (dt.date(2024, 1, 10), "M001", "E001", False, "DEP-ED", "N"),
    ]
    event = AuditEvent.objects.get(action=EventType.IMPORT)
    assert event.case is None
    assert event.payload == {"kind": "referral_history", "rows": 3, "created": 3, "already": 0}


def test_importing_the_same_file_again_adds_nothing(people):
    referral_history_import(text=GOOD)
    first = stored()
    result = referral_history_import(text=GOOD)
    assert (result.rows, result.created, result.already) == (3, 0, 3)
    assert stored() == first
    # A longer export repeating the first adds only what is new.
    longer = GOOD + "2024-02-01,M001,E002,yes\n"
    result = referral_history_import(text=longer)
    assert (result.created, result.already) == (1, 3)
    assert len(stored()) == 4
    assert imports() == 3  # one event per import, whether or not it added rows


def test_every_error_is_listed_by_line_and_nothing_is_written(people):
    referral_history_import(text=csv_text(REF, "2022-01-01,M001,E001,no"))
    today = dt.date.today()
    text = csv_text(
        REF,
        "2023-05-02,M001,E001,yes",  # line 2: fine
        "2023-05-02,M999,E001,yes",  # 3: unknown manager
        "2023-05-02,M001,E999,yes",  # 4: unknown employee
        "2023-02-30,M001,E001,yes",  # 5: not a date
        "2023-05-02,M001,E002,maybe",  # 6: not yes/no
        "2023-05-02,M001,E001,YES",  # 7: the same as line 2
        ",,,",  # 8: blank, skipped
        ",M001,,",  # 9: three cells missing
        "2023-05-02,M001,M001,no",  # 10: refers themselves
        f"{today + dt.timedelta(days=1):%Y-%m-%d},M001,E001,no",  # 11: future
        "2023-05-02,M001,E001",  # 12: too few values
    )
    assert errors_of(text) == [
        "line 3, manager_staff_number: there is no employee M999; import the employees first.",
        "line 4, employee_staff_number: there is no employee E999; import the employees first.",
        "line 5, referred_on: is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
        "line 6, entered_formal: must be yes or no.",
        "line 7: the same referral is also on line 2.",
        "line 9, employee_staff_number: is required.",
        "line 9, entered_formal: is required.",
        "line 9, referred_on: is required.",
        "line 10, employee_staff_number: is the manager's own staff number; "
        "a manager does not refer themselves.",
        "line 11, referred_on: is in the future.",
        "line 12: has 3 values; the header has 4.",
    ]
    assert len(stored()) == 1


def test_a_missing_column_is_reported_on_the_header(people):
    text = csv_text(
        "referred_on,manager_staff_number,employee_staff_number", "2023-05-02,M001,E001"
    )
    assert errors_of(text) == [
        "line 1, entered_formal: this column is missing; the header must name referred_on, "
        "manager_staff_number, employee_staff_number, entered_formal."
    ]


def test_another_trusts_employees_are_unknown_and_its_rows_unseen(people, other_trust):
    referral_history_import(text=GOOD)
    with trust_entered(other_trust):
        assert not ReferralHistory.objects.exists()
        # RAL's staff numbers name nobody in RBX.
        errors = errors_of(csv_text(REF, "2023-05-02,M001,E001,yes"))
        assert errors == [
            "line 2, employee_staff_number: there is no employee E001; import the employees first.",
            "line 2, manager_staff_number: there is no employee M001; import the employees first.",
        ]
        # RBX's own people with the same numbers: rows of RBX, apart from RAL's.
        EmployeeFactory(staff_number="M001")  # in RBX's own org tree
        EmployeeFactory(staff_number="E001", ethnic_category="H")
        assert referral_history_import(text=csv_text(REF, "2023-05-02,M001,E001,yes")).created == 1
        assert [r[5] for r in stored()] == ["H"]
    assert len(stored()) == 3
    assert ReferralHistory.objects.filter(trust=other_trust).count() == 0


def test_the_command_prints_a_summary_and_lists_every_error(people, tmp_path):
    path = tmp_path / "referrals.csv"
    path.write_text(GOOD)
    out = StringIO()
    call_command("import_referral_history", str(path), stdout=out)
    assert out.getvalue().strip() == "Imported 3 referrals: 3 new, 0 already stored."
    out = StringIO()
    call_command("import_referral_history", str(path), stdout=out)
    assert out.getvalue().strip() == "Imported 3 referrals: 0 new, 3 already stored."
    path.write_text(csv_text(REF, "2023-05-02,M999,E001,yes", "2023-05-02,M001,E001,perhaps"))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 errors"):
        call_command("import_referral_history", str(path), stderr=err)
    assert "line 2, manager_staff_number" in err.getvalue()
    assert "line 3, entered_formal" in err.getvalue()
    assert len(stored()) == 3


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)),
            st.sampled_from(["E001", "E002"]),
            st.booleans(),
        ),
        max_size=8,
    )
)
def test_any_file_imported_twice_stores_each_distinct_referral_once(people, rows):
    ReferralHistory.objects.all().delete()
    distinct = sorted(set(rows))
    lines = [f"{d:%Y-%m-%d},M001,{e},{'yes' if f else 'no'}" for d, e, f in distinct]
    text = csv_text(REF, *lines)
    assert referral_history_import(text=text).created == len(distinct)
    assert referral_history_import(text=text).created == 0
    got = ReferralHistory.objects.values_list(
        "referred_on", "employee__staff_number", "entered_formal"
    )
    assert sorted(got) == distinct


def test_the_admin_lists_referrals_but_shows_ethnicity_only_on_a_page_and_records_it(
    client, people
):
    referral_history_import(text=GOOD)
    admin = get_user_model().objects.create_superuser("root", password="pw-Root-2026!")
    client.force_login(admin)
    listing = client.get(reverse("admin:reports_referralhistory_changelist"))
    assert listing.status_code == 200
    assert "E001" in listing.content.decode()
    assert "ethnic" not in listing.content.decode().lower()
    refused = client.get(reverse("admin:reports_referralhistory_changelist") + "?ethnic_category=N")
    assert refused.status_code == 400  # no list may be filtered by ethnicity
    assert client.get(reverse("admin:reports_referralhistory_add")).status_code == 403
    row = ReferralHistory.objects.filter(ethnic_category="N").first()
    assert row is not None
    before = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).count()
    page = client.get(reverse("admin:reports_referralhistory_change", args=[row.pk]))
    assert page.status_code == 200
    assert "Ethnic category" in page.content.decode()
    shown = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY)
    assert shown.count() == before + 1
    last = shown.last()
    assert last is not None
    assert last.payload["employee"] == "E001"


def test_the_admin_withholds_ethnicity_from_those_without_the_permission(client, people):
    referral_history_import(text=GOOD)
    # A manager of the trust (so the admin acts for it), with no view_ethnicity.
    staff = make_user("viewer", Role.MANAGER)
    staff.is_staff = True
    staff.save()
    assert not staff.has_perm("workflow.view_ethnicity")
    staff.user_permissions.add(Permission.objects.get(codename="view_referralhistory"))
    client.force_login(staff)
    row = ReferralHistory.objects.filter(ethnic_category="N").first()
    assert row is not None
    page = client.get(reverse("admin:reports_referralhistory_change", args=[row.pk]))
    assert page.status_code == 200
    assert "Ethnic category" not in page.content.decode()
    assert not AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).exists()
