"""Importing the org unit tree: trust -> ICSU -> department."""

from __future__ import annotations

import pytest

from core.csv_import import ImportFailed, ImportResult, RowError
from staff.importers import org_units_import
from staff.models import OrgUnit

from .helpers import messages, org_csv, snapshot, where

pytestmark = pytest.mark.django_db


def parents() -> dict[str, str | None]:
    return dict(OrgUnit.objects.values_list("code", "parent__code"))


def test_a_tree_imports_with_children_listed_before_their_parents():
    text = org_csv(
        "DEP-CARD,Cardiology,ICSU-MED,department",
        "ICSU-MED,Medicine,TRUST,icsu",
        "DEP-ED,Emergency Department,ICSU-MED,department",
        "TRUST,Demo NHS Trust,,trust",
    )

    result = org_units_import(text=text)

    assert result == ImportResult(created=4, updated=0)
    assert parents() == {
        "TRUST": None,
        "ICSU-MED": "TRUST",
        "DEP-ED": "ICSU-MED",
        "DEP-CARD": "ICSU-MED",
    }
    assert OrgUnit.objects.get(code="DEP-CARD").kind == OrgUnit.Kind.DEPARTMENT


def test_reimporting_updates_units_by_code_and_creates_only_the_new_ones(tree):
    text = org_csv(
        "TRUST,Demo NHS Foundation Trust,,trust",
        "ICSU-SURG,Surgery,TRUST,icsu",
        "DEP-ED,Emergency Medicine,ICSU-SURG,department",
    )

    result = org_units_import(text=text)

    assert result == ImportResult(created=1, updated=2)
    assert OrgUnit.objects.count() == 4
    assert OrgUnit.objects.get(code="DEP-ED").name == "Emergency Medicine"
    assert parents()["DEP-ED"] == "ICSU-SURG"
    assert OrgUnit.objects.get(code="TRUST").name == "Demo NHS Foundation Trust"
    # A unit the file does not mention is left as it was.
    assert OrgUnit.objects.get(code="ICSU-MED").parent_id == tree["trust"].pk


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    text = org_csv("TRUST,Demo NHS Trust,,trust", "ICSU-MED,Medicine,TRUST,icsu")
    org_units_import(text=text)
    before = snapshot()

    assert org_units_import(text=text) == ImportResult(created=0, updated=2)
    assert snapshot() == before


def test_a_parent_may_be_a_unit_loaded_earlier(tree):
    result = org_units_import(text=org_csv("DEP-AMU,Acute Medical Unit,ICSU-MED,department"))

    assert result.created == 1
    assert OrgUnit.objects.get(code="DEP-AMU").parent == tree["icsu"]


def test_kind_is_read_whatever_its_case_and_cells_are_trimmed():
    org_units_import(
        text=org_csv(" TRUST , Demo NHS Trust ,, Trust", "ICSU-MED,Medicine,TRUST,ICSU")
    )

    assert list(OrgUnit.objects.values_list("code", "name", "kind")) == [
        ("ICSU-MED", "Medicine", "icsu"),
        ("TRUST", "Demo NHS Trust", "trust"),
    ]


def test_a_file_with_a_header_only_imports_nothing():
    assert org_units_import(text=org_csv()) == ImportResult(created=0, updated=0)


# Rejections: every problem is listed, and nothing is written. -----------------


def reject(text: str) -> pytest.ExceptionInfo[ImportFailed]:
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        org_units_import(text=text)
    assert snapshot() == before, "a rejected file must write nothing"
    return failure


def test_every_problem_in_the_file_is_reported_by_line_and_nothing_is_written(tree):
    failure = reject(
        org_csv(
            "DEP-NEW,New department,ICSU-MED,department",  # valid, but must not be written
            ",No code,TRUST,icsu",
            "ICSU-X,,TRUST,ward",
            "DEP-NEW,Again,ICSU-MED,department",
            "DEP-Y,Orphan,NOWHERE,department",
        )
    )

    assert where(failure) == [
        (3, "code"),
        (4, "kind"),
        (4, "name"),
        (5, "code"),
        (6, "parent_code"),
    ]
    assert messages(failure)[(5, "code")] == "DEP-NEW is also on line 2."
    assert messages(failure)[(6, "parent_code")] == (
        "there is no org unit NOWHERE in this file or loaded."
    )
    assert failure.value.message == "Nothing was imported: 5 errors."
    assert not OrgUnit.objects.filter(code="DEP-NEW").exists()


def test_blank_required_cells_are_each_reported():
    failure = reject(org_csv(",,TRUST,", "T2,Trust two,,"))

    assert where(failure) == [(2, "code"), (2, "kind"), (2, "name"), (3, "kind")]
    assert messages(failure)[(3, "kind")] == "is required: use one of trust, icsu, department."


def test_an_unknown_kind_is_refused_with_the_kinds_that_are_allowed():
    failure = reject(org_csv("TRUST,Demo,,trust", "WARD-1,Ward 1,TRUST,ward"))

    assert failure.value.errors == [RowError(3, "kind", "must be one of trust, icsu, department.")]


def test_a_trust_must_not_have_a_parent(tree):
    failure = reject(org_csv("TRUST-2,Second Trust,TRUST,trust"))

    assert failure.value.errors == [
        RowError(2, "parent_code", "must be blank: a trust is the top of the tree.")
    ]


def test_an_icsu_or_department_must_have_a_parent():
    failure = reject(org_csv("TRUST,Demo,,trust", "ICSU-MED,Medicine,,icsu", "DEP,Dep,,department"))

    assert messages(failure) == {
        (3, "parent_code"): "is required: the parent of an icsu is a trust.",
        (4, "parent_code"): "is required: the parent of a department is an icsu.",
    }


def test_the_parent_must_be_of_the_kind_above_in_the_file_or_already_loaded(tree):
    failure = reject(
        org_csv(
            "DEP-1,Straight under the trust,TRUST,department",
            "ICSU-2,Under a department,DEP-ED,icsu",
            "DEP-3,Under a new department,DEP-4,department",
            "DEP-4,New department,ICSU-MED,department",
        )
    )

    assert messages(failure) == {
        (2, "parent_code"): "TRUST is a trust; the parent of a department must be an icsu.",
        (3, "parent_code"): "DEP-ED is a department; the parent of an icsu must be a trust.",
        (4, "parent_code"): (
            "DEP-4 (line 5) is a department; the parent of a department must be an icsu."
        ),
    }


def test_a_unit_cannot_be_its_own_parent():
    failure = reject(org_csv("TRUST,Demo,,trust", "ICSU-MED,Medicine,ICSU-MED,icsu"))

    assert failure.value.errors == [RowError(3, "parent_code", "a unit cannot be its own parent.")]


def test_two_units_that_are_each_others_parent_are_reported_as_a_loop():
    failure = reject(org_csv("ICSU-A,A,ICSU-B,icsu", "ICSU-B,B,ICSU-A,icsu"))

    # Each line is told its parent has the wrong kind; the loop is told once, on its first line.
    assert failure.value.errors == [
        RowError(
            2, "parent_code", "ICSU-B (line 3) is an icsu; the parent of an icsu must be a trust."
        ),
        RowError(2, "parent_code", "this makes a loop of parents: ICSU-A -> ICSU-B -> ICSU-A."),
        RowError(
            3, "parent_code", "ICSU-A (line 2) is an icsu; the parent of an icsu must be a trust."
        ),
    ]


def test_a_loop_through_inconsistent_loaded_data_is_refused(tree):
    # Data entered by hand can break the kind rule; the importer must not close a loop on it.
    odd = OrgUnit.objects.create(code="ICSU-ODD", name="Odd", kind="icsu", parent=tree["trust"])
    odd.parent = tree["department"]
    odd.save()

    failure = reject(org_csv("DEP-ED,Emergency Department,ICSU-ODD,department"))

    assert failure.value.errors == [
        RowError(2, "parent_code", "this makes a loop of parents: DEP-ED -> ICSU-ODD -> DEP-ED.")
    ]


def test_changing_a_kind_may_not_strand_loaded_children(tree):
    failure = reject(org_csv("ICSU-MED,Medicine,ICSU-OTHER,department", "ICSU-OTHER,O,TRUST,icsu"))

    assert failure.value.errors == [
        RowError(
            2,
            "kind",
            "changing ICSU-MED from icsu to department would leave DEP-ED under the wrong kind "
            "of parent; add them to this file with a new parent_code.",
        )
    ]


def test_changing_a_kind_is_allowed_when_the_file_moves_the_children_too(tree):
    result = org_units_import(
        text=org_csv(
            "ICSU-MED,Medicine,ICSU-OTHER,department",
            "ICSU-OTHER,Other,TRUST,icsu",
            "DEP-ED,Emergency Department,ICSU-OTHER,department",
        )
    )

    assert result == ImportResult(created=1, updated=2)
    assert parents()["ICSU-MED"] == "ICSU-OTHER"
    assert OrgUnit.objects.get(code="ICSU-MED").kind == "department"


def test_cells_longer_than_the_database_allows_are_refused():
    failure = reject(org_csv(f"{'T' * 33},{'n' * 201},,trust"))

    assert messages(failure) == {
        (2, "code"): "is longer than 32 characters.",
        (2, "name"): "is longer than 200 characters.",
    }
