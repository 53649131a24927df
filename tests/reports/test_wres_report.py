"""Indicator 3 from the database: the worked example end to end, ICSU
splits, the two-year window, unknown ethnicity, product cases counted on the
day they entered formal, and the wres_report command's outputs."""

from __future__ import annotations

import datetime as dt
import json
import math
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.importers import headcount_import, history_import
from reports.wres import wres_report

from .conftest import HEAD, HIST, csv_text

LONDON = ZoneInfo("Europe/London")


def by_unit(year: int = 2024, window: int = 1) -> dict[str, dict[str, Any]]:
    return {r.org_unit: r.as_json() for r in wres_report(years=[year], windows=[window])}


def test_the_worked_example_gives_1_83_trust_wide(worked_example):
    trust = by_unit()["TRUST"]
    assert trust["white"] == {"headcount": 2505, "entered": 17, "rate": 17 / 2505}
    assert trust["bme"] == {"headcount": 725, "entered": 9, "rate": 9 / 725}
    assert round(trust["relative_likelihood"], 2) == 1.83
    assert (round(trust["ci95_low"], 2), round(trust["ci95_high"], 2)) == (0.82, 4.09)
    assert trust["non_adverse"] is False


def test_unknown_ethnicity_is_counted_and_shown_but_in_neither_rate(worked_example):
    trust = by_unit()["TRUST"]
    assert trust["unknown"] == {"headcount": 66, "entered": 4, "rate": 4 / 66}
    assert trust["white"]["headcount"] + trust["bme"]["headcount"] + 66 == 3296


def test_each_icsu_has_its_own_figures_and_the_trust_has_units_in_no_icsu_too(worked_example):
    units = by_unit()
    assert list(units) == ["TRUST", "ICSU-MED", "ICSU-SUR"]
    med, sur = units["ICSU-MED"], units["ICSU-SUR"]
    assert (med["white"]["headcount"], med["white"]["entered"]) == (1505, 10)
    assert (med["bme"]["headcount"], med["bme"]["entered"]) == (300, 6)
    assert med["relative_likelihood"] == pytest.approx((6 / 300) / (10 / 1505))
    assert (sur["white"]["headcount"], sur["white"]["entered"]) == (900, 5)
    assert (sur["bme"]["headcount"], sur["bme"]["entered"]) == (400, 2)
    assert sur["unknown"] == {"headcount": 6, "entered": 0, "rate": 0.0}
    assert sur["relative_likelihood"] == pytest.approx((2 / 400) / (5 / 900))
    assert sur["non_adverse"] is True


def test_a_unit_with_no_entries_or_headcount_has_nulls_not_zeros(units):
    trust = by_unit()["TRUST"]
    assert trust["white"] == {"headcount": 0, "entered": 0, "rate": None}
    assert [trust[k] for k in ("relative_likelihood", "ci95_low", "ci95_high", "non_adverse")] == [
        None
    ] * 4


def test_the_two_year_window_averages_this_and_last_years_entries(worked_example):
    history_import(text=csv_text(HIST, "2023-10-10,DEP-ED,A,8", "2023-10-10,DEP-ED,N,4"))
    trust = by_unit(window=2)["TRUST"]
    assert trust["window"] == 2
    assert trust["white"]["entered"] == pytest.approx((17 + 8 + 50) / 2)  # 31 March 2024 is 2023/24
    assert trust["bme"]["entered"] == pytest.approx((9 + 4) / 2)
    assert trust["bme"]["headcount"] == 725  # at the end of the current year
    expected = ((9 + 4) / 2 / 725) / ((17 + 58) / 2 / 2505)
    assert math.isclose(trust["relative_likelihood"], expected)


def test_a_case_counts_on_the_day_it_entered_formal_in_the_trusts_time_zone(units, story):
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,N,50", "2025-03-31,DEP-ED,A,50"))
    history_import(text=csv_text(HIST, "2024-06-01,DEP-ED,A,1"))
    with time_machine.travel(dt.datetime(2025, 3, 31, 23, 30, tzinfo=LONDON)):
        story.formal()  # the employee is BME (N) in the Emergency Department
    with time_machine.travel(dt.datetime(2025, 4, 1, 0, 30, tzinfo=LONDON)):
        story.formal()  # 2025/26: 23:30 UTC on 31 March, but April in London
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, 0, tzinfo=LONDON)):
        story.signoff()  # proposed, never commissioned: not an entry
    units_ = by_unit()
    assert units_["ICSU-MED"]["bme"]["entered"] == 1
    assert units_["TRUST"]["relative_likelihood"] == 1.0
    assert by_unit(2025)["TRUST"]["bme"]["entered"] == 1


def test_a_person_with_two_investigations_in_a_year_is_one_entry(units, story):
    headcount_import(text=csv_text(HEAD, "2025-03-31,DEP-ED,N,50", "2025-03-31,DEP-ED,A,50"))
    with time_machine.travel(dt.datetime(2024, 6, 3, 10, 0, tzinfo=LONDON)):
        story.formal()
    with time_machine.travel(dt.datetime(2024, 11, 4, 10, 0, tzinfo=LONDON)):
        story.formal()  # the same employee again, later in 2024/25
    assert by_unit()["TRUST"]["bme"]["entered"] == 1
    with time_machine.travel(dt.datetime(2025, 5, 6, 10, 0, tzinfo=LONDON)):
        story.formal()  # and once more the next WRES year: a new entry there
    assert by_unit(2025)["TRUST"]["bme"]["entered"] == 1
    assert by_unit(2025, window=2)["TRUST"]["bme"]["entered"] == 1  # (1 + 1) / 2


def test_the_report_takes_a_constant_number_of_queries(worked_example):
    with CaptureQueriesContext(connection) as few:
        wres_report(years=[2024], windows=[1, 2])
    history_import(text=csv_text(HIST, *(f"2021-05-{d:02d},DEP-ED,A,1" for d in range(1, 29))))
    with CaptureQueriesContext(connection) as more:
        wres_report(years=range(2018, 2025), windows=[1, 2])
    assert len(few) == len(more) == 4


def test_the_command_prints_json_with_the_trust_first(worked_example):
    out = StringIO()
    call_command("wres_report", "--year", "2024", "--window", "1", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert [d["org_unit"] for d in data] == ["TRUST", "ICSU-MED", "ICSU-SUR"]
    assert set(data[0]) == {
        "org_unit", "year", "window", "white", "bme", "unknown",
        "relative_likelihood", "ci95_low", "ci95_high", "non_adverse",
    }  # fmt: skip
    assert data[0]["year"] == 2024
    assert data[0]["window"] == 1
    assert round(data[0]["relative_likelihood"], 2) == 1.83


def test_the_command_prints_csv_and_a_table(worked_example):
    out = StringIO()
    call_command("wres_report", "--year", "2024", "--window", "2", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("org_unit,year,window,white_headcount,white_entered,white_rate")
    assert lines[1].startswith("TRUST,2024,2,2505,")
    assert len(lines) == 4
    out = StringIO()
    call_command("wres_report", "--year", "2024", "--window", "1", stdout=out)
    assert "WRES indicator 3, 2024/25, 1-year window" in out.getvalue()
    assert "1.83" in out.getvalue()
