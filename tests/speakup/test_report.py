"""ftsu_report and the pack's FTSU section: NHS quarters, counts on a
hand-computed example in the exact JSON shape, ICSU roll-up, a constant
number of queries, clear refusals of bad arguments, and suppression from
which no small count can be worked back."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.suppression import determined
from speakup.importers import FTSU_COLUMNS, ftsu_cases_import
from speakup.models import Concern
from speakup.report import (
    MEASURES,
    OUTSIDE,
    Quarter,
    ftsu_counts,
    ftsu_pack_section,
    ftsu_quarter_choices,
    ftsu_report,
    quarters_ending,
    suppression_cells,
)
from staff.models import OrgUnit

from ..factories import OrgUnitFactory, other_units
from ..policy import policy_set

FLAGS = (
    "patient_safety",
    "worker_safety",
    "bullying_harassment",
    "inappropriate_behaviour",
    "detriment",
    "racism",
)


@pytest.fixture
def units(db: None) -> dict[str, Any]:
    found: dict[str, Any] = dict(other_units())
    trust = OrgUnit.objects.get(code="TRUST")
    found["women"] = OrgUnitFactory(code="ICSU-WOM", name="Women's", kind="icsu", parent=trust)
    found["trust"] = trust
    found["ed"] = OrgUnit.objects.get(code="DEP-ED")
    return found


def concern(day: str, unit: Any, code: str = "", *flags: str, anonymous: bool = False) -> Concern:
    """A concern raised in the product (the import makes the other kind)."""
    return Concern.objects.create(
        source="raised",
        route="anonymous" if anonymous else "confidential",
        received_on=dt.date.fromisoformat(day),
        org_unit=unit,
        ethnic_category=code,
        account="SECRET-ACCOUNT-TEXT",
        created_at=timezone.now(),
        **{flag: True for flag in flags},
    )


@pytest.fixture
def example(units) -> None:
    """Quarter 2025 Q1 (1 April to 30 June 2025), worked by hand in the tests."""
    concern("2025-03-31", units["ed"], "N", "racism")  # Q4 2024/25: not counted
    concern("2025-04-01", units["ed"], "N", "racism", "bullying_harassment", anonymous=True)
    concern("2025-05-15", units["same_icsu"], "A", "patient_safety")
    concern("2025-06-01", None, "H", "racism")  # no unit: the trust only
    concern("2025-06-02", units["trust"], "B")  # the trust itself: the trust only
    concern("2025-07-01", units["ed"], "A")  # Q2: not counted
    # The guardian's log: a department of Surgery, and Surgery itself.
    text = "\n".join(
        [
            ",".join(FTSU_COLUMNS),
            "2025-06-30,DEP-THE,nursing,,no,no,yes,no,no,yes,no",
            "2025-06-30,ICSU-SUR,admin,Z,yes,no,no,no,yes,no,no",
        ]
    )
    ftsu_cases_import(text=text + "\n")


def counts(total, anonymous, categories, white, bme, unknown) -> dict[str, Any]:
    return {
        "total": total,
        "anonymous": anonymous,
        "categories": dict(zip(FLAGS, categories, strict=True)),
        "by_ethnicity": {"white": white, "bme": bme, "unknown": unknown},
    }


EXPECTED = [
    {"org_unit": "TRUST", "year": 2025, "quarter": 1, **counts(6, 2, (1, 1, 1, 1, 1, 2), 2, 2, 2)},
    {
        "org_unit": "ICSU-MED",
        "year": 2025,
        "quarter": 1,
        **counts(2, 1, (1, 0, 1, 0, 0, 1), 1, 1, 0),
    },
    {
        "org_unit": "ICSU-SUR",
        "year": 2025,
        "quarter": 1,
        **counts(2, 1, (0, 1, 0, 1, 1, 0), 0, 0, 2),
    },
    {"org_unit": "ICSU-WOM", "year": 2025, "quarter": 1, **counts(0, 0, (0,) * 6, 0, 0, 0)},
]


# --- quarters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quarter", "start", "end"),
    [
        (Quarter(2025, 1), "2025-04-01", "2025-06-30"),
        (Quarter(2025, 2), "2025-07-01", "2025-09-30"),
        (Quarter(2025, 3), "2025-10-01", "2025-12-31"),
        (Quarter(2025, 4), "2026-01-01", "2026-03-31"),
        (Quarter(2023, 4), "2024-01-01", "2024-03-31"),
    ],
)
def test_nhs_quarters_start_in_april(quarter, start, end):
    assert (quarter.start.isoformat(), quarter.end.isoformat()) == (start, end)


def test_the_latest_complete_quarter_is_the_one_before_today():
    assert Quarter.latest_complete(dt.date(2025, 7, 1)) == Quarter(2025, 1)
    assert Quarter.latest_complete(dt.date(2025, 6, 30)) == Quarter(2024, 4)
    assert Quarter.latest_complete(dt.date(2025, 4, 1)) == Quarter(2024, 4)
    assert Quarter.latest_complete(dt.date(2025, 1, 1)) == Quarter(2024, 3)
    assert quarters_ending(Quarter(2025, 2), 3) == [
        Quarter(2024, 4),
        Quarter(2025, 1),
        Quarter(2025, 2),
    ]
    assert Quarter(2025, 3).label == "Q3 2025/26 (Oct-Dec 2025)"
    assert Quarter.parse("2025-Q3") == Quarter(2025, 3)
    for bad in ("2025-Q5", "2025Q1", "\uff12\uff10\uff12\uff15-Q1", ""):
        with pytest.raises(ValueError, match="quarter"):
            Quarter.parse(bad)


@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_day_is_in_exactly_one_quarter(day):
    quarter = Quarter.of(day)
    assert quarter.start <= day <= quarter.end
    assert quarter.previous().end < day < quarter.next().start
    assert quarter.next().previous() == quarter
    assert Quarter.parse(quarter.code) == quarter


# --- the report ---------------------------------------------------------------------


def test_the_quarter_is_counted_by_hand(example):
    assert [row.as_json() for row in ftsu_report(Quarter(2025, 1))] == EXPECTED


def test_the_json_has_the_exact_shape_and_key_order(example):
    out = StringIO()
    call_command("ftsu_report", "--year", "2025", "--quarter", "1", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == EXPECTED
    keys = ["org_unit", "year", "quarter", "total", "anonymous", "categories", "by_ethnicity"]
    for item in data:
        assert list(item) == keys
        assert list(item["categories"]) == list(FLAGS)
        assert list(item["by_ethnicity"]) == ["white", "bme", "unknown"]


def test_csv_and_table_give_the_same_figures(example):
    out = StringIO()
    call_command("ftsu_report", "--year=2025", "--quarter=Q1", "--format=csv", stdout=out)
    rows = list(csv.DictReader(StringIO(out.getvalue())))
    assert [r["org_unit"] for r in rows] == ["TRUST", "ICSU-MED", "ICSU-SUR", "ICSU-WOM"]
    assert rows[0] == {
        "org_unit": "TRUST",
        "year": "2025",
        "quarter": "1",
        "total": "6",
        "anonymous": "2",
        **dict(zip(FLAGS, ["1", "1", "1", "1", "1", "2"], strict=True)),
        "white": "2",
        "bme": "2",
        "unknown": "2",
    }
    table = StringIO()
    call_command("ftsu_report", "--year=2025", "--quarter=1", stdout=table)
    lines = table.getvalue().splitlines()
    assert lines[0] == "Freedom to Speak Up, Q1 2025/26 (Apr-Jun 2025): 2025-04-01 to 2025-06-30"
    assert lines[2].split() == ["TRUST", "6", "2", "1", "1", "1", "1", "1", "2", "2", "2", "2"]
    assert "SECRET" not in out.getvalue() + table.getvalue()


def test_a_quarter_with_no_concerns_lists_every_icsu_with_zeros(units):
    data = [row.as_json() for row in ftsu_report(Quarter(2030, 4))]
    assert [d["org_unit"] for d in data] == ["TRUST", "ICSU-MED", "ICSU-SUR", "ICSU-WOM"]
    assert all(d["total"] == 0 and d["by_ethnicity"]["unknown"] == 0 for d in data)


def test_the_report_reads_a_constant_number_of_queries(example, units):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ftsu_report(Quarter(2025, 1))
            ftsu_pack_section(quarter=Quarter(2025, 1))
        return len(captured)

    queries()  # the trust's policy is read once, then kept
    before = queries()
    assert before == 4  # units and concerns, for each of the two reads
    for i in range(30):
        concern(f"2025-05-{i % 28 + 1:02d}", units["other_icsu"], "M", "detriment")
    assert queries() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2025", "--quarter", "5"], "--quarter must be 1, 2, 3 or 4, not '5'."),
        (["--year", "twenty", "--quarter", "1"], "--year must be a whole number, not 'twenty'."),
        (["--year", "1999", "--quarter", "1"], "--year must be from 2000 to 2100, not 1999."),
        (["--year", "2025", "--quarter", "1", "--format", "xml"], "--format must be table"),
        (["--quarter", "1"], "the following arguments are required: --year"),
    ],
)
def test_bad_arguments_are_refused_clearly(units, args, message):
    with pytest.raises(CommandError) as info:
        call_command("ftsu_report", *args)
    assert message in str(info.value)


# --- the pack's section: suppression ---------------------------------------------------


def test_the_section_shows_every_count_unsuppressed_for_hr(example):
    section = ftsu_pack_section(quarter="2025-Q1", suppressed=False)
    assert [r.org_unit for r in section.rows] == ["TRUST", "ICSU-MED", "ICSU-SUR", "ICSU-WOM"]
    trust = {m: f.value for m, f in section.trust.figures.items()}
    assert trust == {
        "total": 6,
        "anonymous": 2,
        **dict(zip(FLAGS, (1, 1, 1, 1, 1, 2), strict=True)),
        "white": 2,
        "bme": 2,
        "unknown": 2,
    }
    assert [(t.quarter.code, t.figures["total"].value) for t in section.trend] == [
        ("2023-Q2", 0),
        ("2023-Q3", 0),
        ("2023-Q4", 0),
        ("2024-Q1", 0),
        ("2024-Q2", 0),
        ("2024-Q3", 0),
        ("2024-Q4", 1),
        ("2025-Q1", 6),
    ]
    assert section.hidden_count == 0


def test_small_counts_are_suppressed_and_zero_is_shown(example):
    section = ftsu_pack_section(quarter=Quarter(2025, 1), suppressed=True)
    for row in section.rows:
        for measure, figure in row.figures.items():
            if 0 < int(figure.value or 0) < 5:
                assert figure.text() == "suppressed", (row.org_unit, measure)
    assert all(not f.hidden for f in section.rows[3].figures.values())  # Women's: all zero
    assert section.trend[6].figures["total"].hidden  # one concern in Q4 2024/25
    assert section.trend[0].figures["total"].text() == "0"
    assert section.hidden_count > 0


def test_a_small_ethnic_count_cannot_be_worked_back_from_the_total(units):
    """Medicine: 7 white and 3 BME concerns. The 3 is suppressed, and so is one
    more of white / BME / unknown, or 10 - 7 - 0 would give it back."""
    for _ in range(7):
        concern("2025-05-01", units["ed"], "A")
    for _ in range(3):
        concern("2025-05-01", units["ed"], "N")
    for _ in range(8):
        concern("2025-05-01", units["other_icsu"], "N")
    section = ftsu_pack_section(quarter="2025-Q1")
    medicine = section.rows[1].figures
    assert medicine["total"].text() == "10"
    assert medicine["bme"].hidden
    assert medicine["white"].hidden or medicine["unknown"].hidden
    assert section.rows[2].figures["bme"].text() == "8"


def assert_nothing_small_can_be_recovered(section: Any, quarters: list[Quarter]) -> None:
    counts, units = ftsu_counts(quarters)
    values, relations, _ = suppression_cells(counts, units, quarters)
    shown = {
        (section.quarter, r.org_unit, m): f for r in section.rows for m, f in r.figures.items()
    }
    shown |= {(t.quarter, "TRUST", m): f for t in section.trend for m, f in t.figures.items()}
    hidden = {k for k, f in shown.items() if f.hidden} | (set(values) - set(shown))
    for key, figure in shown.items():
        assert figure.hidden or not 0 < values[key] < section.threshold, key
    by_cell: dict[Any, list[Any]] = {}
    for relation in relations:
        for member in relation.members:
            by_cell.setdefault(member, []).append(relation)
    small = {k for k in hidden if 0 < values[k] < section.threshold}
    assert not determined(hidden, by_cell) & small


UNIT_KEYS = ("ed", "same_icsu", "other_icsu", "women", "trust", None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(UNIT_KEYS),
            st.sampled_from(["A", "N", "", "Z", "H"]),
            st.integers(min_value=0, max_value=200),  # days after 1 January 2025
            st.booleans(),
            st.sets(st.sampled_from(FLAGS)),
        ),
        max_size=60,
    ),
    st.integers(min_value=2, max_value=8),
)
def test_no_suppressed_small_count_can_be_recovered(units, concerns, threshold):
    Concern.objects.all().delete()
    policy_set(report_suppression_threshold=threshold)
    for unit, code, offset, anonymous, flags in concerns:
        day = (dt.date(2025, 1, 1) + dt.timedelta(days=offset)).isoformat()
        concern(day, units[unit] if unit else None, code, *flags, anonymous=anonymous)
    quarter = Quarter(2025, 1)
    section = ftsu_pack_section(quarter=quarter)
    assert section.threshold == threshold
    assert_nothing_small_can_be_recovered(section, quarters_ending(quarter, 8))


def test_the_form_offers_the_last_twelve_complete_quarters(units):
    choices = ftsu_quarter_choices()
    assert choices[0] == ("", "Latest complete quarter")
    assert len(choices) == 13
    assert choices[1][0] == Quarter.latest_complete().code


def test_the_outside_cells_are_never_published(example):
    quarters = quarters_ending(Quarter(2025, 1), 8)
    counts, units = ftsu_counts(quarters)
    _, _, published = suppression_cells(counts, units, quarters)
    assert not any(key[1] == OUTSIDE for key in published)
    assert {m for (_, _, m) in published} == set(MEASURES)


# --- the governance pack page ------------------------------------------------------------

PACK = "/reports/governance/?ftsu_quarter=2025-Q1"


def ftsu_cells(html: str, unit: str) -> dict[str, str]:
    """The quarter table's cells of one unit, by measure."""
    start = html.index(f'<tr data-unit="{unit}">', html.index('data-testid="pack-ftsu-quarter"'))
    row = html[start : html.index("</tr>", start)]
    return {
        cell.split('">')[0]: cell.split('">')[1].split("<")[0]
        for cell in row.split('<td data-measure="')[1:]
    }


@pytest.fixture
def pack_quarter(example) -> None:
    """The example, and enough concerns in Medicine for some counts to show."""
    for _ in range(6):
        concern("2025-05-20", None, "A", "patient_safety")


def test_governance_sees_the_quarter_suppressed_and_never_a_concern(client, cast, pack_quarter):
    client.force_login(cast.governance)
    response = client.get(PACK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ftsu"' in html
    assert "Freedom to Speak Up, Q1 2025/26 (Apr-Jun 2025)" in html
    trust = ftsu_cells(html, "TRUST")
    assert trust["total"] == "12"
    assert trust["patient_safety"] == "7"
    assert trust["racism"] == "suppressed"
    assert ftsu_cells(html, "ICSU-WOM")["total"] == "0"
    assert ftsu_cells(html, "ICSU-MED")["total"] == "suppressed"
    assert "SECRET-ACCOUNT-TEXT" not in html
    assert 'data-testid="pack-ftsu-trend"' in html
    assert 'data-quarter="2023-Q2"' in html
    assert 'data-quarter="2025-Q1"' in html


def test_hr_sees_every_count_and_may_preview_the_suppressed_quarter(client, cast, pack_quarter):
    client.force_login(cast.hr)
    html = client.get(PACK).content.decode()
    assert ftsu_cells(html, "ICSU-MED")["total"] == "2"
    assert ftsu_cells(html, "TRUST")["racism"] == "2"
    preview = client.get(PACK + "&preview=on").content.decode()
    assert ftsu_cells(preview, "TRUST")["racism"] == "suppressed"


def test_the_pack_opens_on_the_latest_complete_quarter(client, cast, units):
    client.force_login(cast.governance)
    html = client.get("/reports/governance/").content.decode()
    assert f"Freedom to Speak Up, {Quarter.latest_complete().label}" in html


def test_an_unknown_quarter_is_a_400_with_the_form(client, cast, units):
    client.force_login(cast.governance)
    response = client.get("/reports/governance/?ftsu_quarter=1999-Q9")
    assert response.status_code == 400
    assert "FTSU quarter" in response.content.decode()
