"""import_headcount and import_history: every validation error, by line, and
a rejected file changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent, EventType
from core.csv_import import ImportFailed
from reports.importers import headcount_import, history_import
from reports.models import Headcount, HistoricalEntry

from .conftest import csv_text

HEAD = "as_at,org_unit,ethnic_category,headcount"
HIST = "date,org_unit,ethnic_category,entered"


def stored() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    return (
        list(
            Headcount.objects.values_list("as_at", "org_unit__code", "ethnic_category", "headcount")
        ),
        list(
            HistoricalEntry.objects.values_list(
                "date", "org_unit__code", "ethnic_category", "entered"
            )
        ),
        AuditEvent.objects.count(),
    )


def errors_of(importer, text: str) -> list[str]:
    before = stored()
    with pytest.raises(ImportFailed) as info:
        importer(text=text)
    assert stored() == before
    return [str(e) for e in info.value.errors]


def test_a_valid_headcount_file_is_loaded_and_recorded_in_the_audit_log(units):
    text = csv_text(
        HEAD, "2025-03-31,DEP-ED,A,120", "31/03/2025,DEP-ED,n,40", "2025-03-31,ICSU-SUR,,3"
    )
    result = headcount_import(text=text)
    assert (result.rows, result.dates, result.replaced) == (3, 1, 0)
    assert sorted(stored()[0]) == [
        (dt.date(2025, 3, 31), "DEP-ED", "A", 120),
        (dt.date(2025, 3, 31), "DEP-ED", "N", 40),
        (dt.date(2025, 3, 31), "ICSU-SUR", "", 3),
    ]
    event = AuditEvent.objects.get(action=EventType.IMPORT)
    assert event.case is None
    assert event.payload == {"kind": "headcount", "rows": 3, "dates": 1, "replaced": 0}


def test_importing_a_date_again_replaces_what_was_stored_for_it(units):
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,A,120", "2024-03-31,DEP-ED,A,100"))
    result = headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-AMU,B,7"))
    assert result.replaced == 1
    assert sorted(stored()[0]) == [
        (dt.date(2024, 3, 31), "DEP-ED", "A", 100),
        (dt.date(2025, 3, 31), "DEP-AMU", "B", 7),
    ]


def test_every_error_in_a_headcount_file_is_listed_by_line_and_nothing_is_written(units):
    headcount_import(text=csv_text(HEAD, "2024-03-31,DEP-ED,A,100"))
    text = csv_text(
        HEAD,
        "2025-03-31,DEP-ED,A,120",  # line 2: fine
        "2025-03-31,NOWHERE,A,5",  # 3: unknown unit
        "2025-03-31,DEP-ED,Q,5",  # 4: unknown code
        "2025-03-31,DEP-ED,B,-4",  # 5: negative
        "2025-03-31,DEP-ED,C,2.5",  # 6: not a whole number
        "2025-03-31,DEP-ED,A,9",  # 7: duplicate of line 2
        "2025-02-30,DEP-ED,D,1",  # 8: not a date
        ",,,",  # blank line: skipped
        "2025-03-31,DEP-ED,E,",  # 10: missing count
        "2025-03-31,DEP-ED",  # 11: too few values
    )
    assert errors_of(headcount_import, text) == [
        "line 3, org_unit: there is no org unit NOWHERE; import the org units first.",
        "line 4, ethnic_category: is not a valid NHS ethnic category code; use one of "
        "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, or leave it blank for unknown.",
        "line 5, headcount: cannot be negative.",
        "line 6, headcount: must be a whole number (0, 1, 2 ...).",
        "line 7: DEP-ED, A on 2025-03-31 is also on line 2.",
        "line 8, as_at: is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
        "line 10, headcount: is required.",
        "line 11: has 2 values; the header has 4.",
    ]


def test_a_wrong_header_is_reported_before_any_row(units):
    errors = errors_of(
        headcount_import, csv_text("as_at,unit,ethnic_category,headcount", "x,y,z,1")
    )
    assert errors[0].startswith("line 1, org_unit: this column is missing")


def test_every_error_in_a_history_file_is_listed_and_nothing_is_written(units):
    text = csv_text(
        HIST,
        "2019-06-01,DEP-ED,A,2",
        "2019-06-01,DEP-ED,A,3",
        "2019-06-01,DEP-XX,A,3",
        "2019-06-01,DEP-ED,B,three",
        "2019-06-01,DEP-ED,C,-1",
        "June 2019,DEP-ED,D,1",
        "2019-06-01,DEP-ED,I,1",
    )
    assert errors_of(history_import, text) == [
        "line 3: DEP-ED, A on 2019-06-01 is also on line 2.",
        "line 4, org_unit: there is no org unit DEP-XX; import the org units first.",
        "line 5, entered: must be a whole number (0, 1, 2 ...).",
        "line 6, entered: cannot be negative.",
        "line 7, date: is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
        "line 8, ethnic_category: is not a valid NHS ethnic category code; use one of "
        "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, or leave it blank for unknown.",
    ]


def test_the_commands_list_every_error_and_fail(units, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(csv_text(HIST, "2019-06-01,DEP-XX,A,3", "2019-06-01,DEP-ED,A,-3"))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 errors"):
        call_command("import_history", str(path), stderr=err)
    assert "line 2, org_unit" in err.getvalue()
    assert "line 3, entered" in err.getvalue()
    assert not HistoricalEntry.objects.exists()


def test_a_large_file_shows_a_progress_bar(units, tmp_path):
    # 952 distinct rows over 28 dates, then blank lines to pass the size threshold.
    units_, codes = ("DEP-ED", "DEP-AMU"), "ABCDEFGHJKLMNPRSZ"
    lines = [
        f"2025-03-{1 + i // 34:02d},{units_[i % 2]},{codes[(i // 2) % 17]},{i % 9}"
        for i in range(34 * 28)
    ]
    path = tmp_path / "big.csv"
    path.write_text(csv_text(HEAD, *lines) + "\n" * 5000)
    out, err = StringIO(), StringIO()
    call_command("import_headcount", str(path), stdout=out, stderr=err)
    assert "100%" in err.getvalue()
    assert "[####" in err.getvalue()
    assert out.getvalue().startswith(f"Imported {34 * 28} rows for 28 dates")
