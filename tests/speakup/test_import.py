"""import_ftsu_cases: the guardian's historical log, every error by line and
nothing written on any, no identity and no text on an imported row, one
audit event, the same file refused the second time, a trust's rows its own."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from audit.models import AuditEvent, EventType
from core.csv_import import ImportFailed
from speakup.importers import FTSU_COLUMNS, file_digest, ftsu_cases_import
from speakup.models import Concern
from tenancy.context import trust_entered

from ..factories import other_units

HEADER = ",".join(FTSU_COLUMNS)
NO6 = "no,no,no,no,no,no"


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


GOOD = csv_text(
    "2025-04-01,DEP-ED,nursing,N,no,yes,no,no,no,no,yes",
    f"30/06/2025,ICSU-SUR,Medical and dental,a,YES,{NO6}",
    "2025-07-01,,,,no,no,no,yes,yes,no,no",
)


@pytest.fixture
def units(db: None) -> Any:
    return other_units()


def stored() -> list[tuple[Any, ...]]:
    return list(
        Concern.objects.order_by("received_on").values_list(
            "received_on",
            "org_unit__code",
            "professional_group",
            "ethnic_category",
            "route",
            "patient_safety",
            "worker_safety",
            "bullying_harassment",
            "inappropriate_behaviour",
            "detriment",
            "racism",
        )
    )


def errors_of(text: str) -> list[str]:
    before = (stored(), AuditEvent.objects.count())
    with pytest.raises(ImportFailed) as info:
        ftsu_cases_import(text=text)
    assert (stored(), AuditEvent.objects.count()) == before
    return [str(e) for e in info.value.errors]


FIRST_FLAGS = (True, False, False, False, False, True)
THIRD_FLAGS = (False, False, True, True, False, False)


def test_a_valid_file_is_loaded_as_imported_concerns(units):
    result = ftsu_cases_import(text=GOOD)
    assert (result.rows, result.anonymous) == (3, 1)
    assert stored() == [
        (dt.date(2025, 4, 1), "DEP-ED", "nursing", "N", "confidential", *FIRST_FLAGS),
        (dt.date(2025, 6, 30), "ICSU-SUR", "medical", "A", "anonymous", *(False,) * 6),
        (dt.date(2025, 7, 1), None, "not_known", "", "confidential", *THIRD_FLAGS),
    ]


def test_an_imported_row_has_no_identity_no_text_and_no_key(units):
    ftsu_cases_import(text=GOOD)
    for concern in Concern.objects.all():
        assert concern.source == "imported"
        assert concern.reporter_id is None
        assert (concern.account, concern.topic, concern.case_key, concern.passphrase_hash) == (
            "",
            "",
            "",
            "",
        )
        assert concern.acknowledge_by is None
        assert not concern.messages.exists()


def test_professional_groups_are_read_by_value_or_label_in_any_case(units):
    text = csv_text(
        f"2025-04-01,DEP-ED,AHP,,no,{NO6}",
        f"2025-04-02,DEP-ED,  allied   HEALTH professionals ,,no,{NO6}",
        f"2025-04-03,DEP-ED,Not known,,no,{NO6}",
    )
    ftsu_cases_import(text=text)
    assert [r[2] for r in stored()] == ["ahp", "ahp", "not_known"]


def test_every_error_is_listed_by_line_and_nothing_is_written(units):
    text = csv_text(
        f"2025-02-30,DEP-XX,nurses,Q,maybe,{NO6}",
        "2099-01-01,TRUST,admin,A,no,yes,no,no,no,no,",
        f",DEP-ED,admin,A,,{NO6}",
        f"2025-04-01,DEP-ED,admin,A,no,{NO6}",
    )
    assert errors_of(text) == [
        "line 2, anonymous: must be yes or no.",
        "line 2, ethnic_category: is not a valid NHS ethnic category code; use one of "
        "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, or leave it blank.",
        "line 2, org_unit: there is no org unit DEP-XX; import the org units first.",
        "line 2, professional_group: is not a professional group; use one of admin, ahp, "
        "estates, scientists, medical, nursing, nursing_support, pharmacy, students, "
        "corporate, other, not_known.",
        "line 2, received_on: is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
        "line 3, org_unit: TRUST is the trust itself; give a department or an ICSU, "
        "or leave it blank.",
        "line 3, racism: is required (yes or no).",
        "line 3, received_on: is in the future.",
        "line 4, anonymous: is required (yes or no).",
        "line 4, received_on: is required.",
    ]
    assert Concern.objects.count() == 0


def test_a_wrong_header_is_refused_at_once(units):
    assert errors_of(csv_text("2025-04-01,DEP-ED", header="received_on,org_unit")) == [
        f"line 1, {column}: this column is missing; the header must name "
        + ", ".join(FTSU_COLUMNS)
        + "."
        for column in sorted(FTSU_COLUMNS[2:])
    ]


def test_one_audit_event_counts_only(units):
    result = ftsu_cases_import(text=GOOD)
    event = AuditEvent.objects.get(action=EventType.IMPORT)
    assert event.payload == {
        "kind": "ftsu_cases",
        "rows": 3,
        "anonymous": 1,
        "sha256": result.sha256,
    }
    assert event.case_id is None


def test_the_same_file_is_refused_the_second_time_even_saved_again_by_excel(units):
    with time_machine.travel(dt.datetime(2025, 8, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        ftsu_cases_import(text=GOOD)
    as_excel_saves_it = "\ufeff" + GOOD.replace("\n", "\r\n")
    assert file_digest(as_excel_saves_it) == file_digest(GOOD)
    assert errors_of(as_excel_saves_it) == [
        "line 1: this file was imported already, on 1 August 2025 at 10:30; "
        "nothing was added again."
    ]
    assert Concern.objects.count() == 3
    # A different file (one more row) is a new file.
    ftsu_cases_import(text=GOOD + f"2025-07-02,DEP-ED,admin,A,no,{NO6}\n")
    assert Concern.objects.count() == 7


def test_the_same_file_may_be_imported_into_another_trust(units, other_trust):
    ftsu_cases_import(text=GOOD)
    with trust_entered(other_trust):
        other_units()
        ftsu_cases_import(text=GOOD)
        assert Concern.objects.count() == 3
    assert Concern.objects.count() == 3


def test_the_command_imports_and_refuses_with_every_error(units, tmp_path):
    good = tmp_path / "log.csv"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_ftsu_cases", str(good), stdout=out)
    assert out.getvalue().startswith("Imported 3 concerns (1 anonymous) from a file with SHA-256 ")
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(f"2025-04-01,DEP-ZZ,admin,A,no,{NO6}"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"Nothing was imported: 1 error\."):
        call_command("import_ftsu_cases", str(bad), stderr=err)
    assert "line 2, org_unit: there is no org unit DEP-ZZ" in err.getvalue()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_ftsu_cases", str(tmp_path / "missing.csv"))
