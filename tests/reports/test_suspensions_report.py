"""Suspensions and restrictions by ethnic group beside indicator 3 in the
governance pack (issue 20): counts of staff, the relative likelihood as
indicator 3 computes it, staff still under a measure at the year's end, the
median length of the measures lifted, suppression, the downloads, and a
constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.importers import headcount_import
from reports.pack import SuspensionRow, _suspension_cells, governance_pack
from reports.suppression import suppress
from suspensions.models import Suspension
from tests.factories import EmployeeFactory
from workflow.models import Case

from ..workflow.steps import Story
from .conftest import HEAD, csv_text
from .test_pack_suppression import TwoIcsus
from .test_suppression import recoverable

YEAR = 2024  # 1 April 2024 to 31 March 2025
Z95 = 1.959963984540054


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def measure(
    cast: Any, case: Case, kind: str, started: str, lifted_after: int | None = None
) -> Suspension:
    """A measure on the register, written directly (the counts do not depend
    on how it got there): lifted ``lifted_after`` days after it started."""
    start = day(started)
    lifted = None if lifted_after is None else start + dt.timedelta(days=lifted_after)
    return Suspension.objects.create(
        case=case,
        kind=kind,
        reason="Risk to patients while the concern is looked into.",
        decided_by=cast.director,
        recorded_by=cast.hr,
        recorded_at=timezone.now(),
        started_on=start,
        review_every=20,
        review_due_on=None if lifted else start + dt.timedelta(days=28),
        lifted_on=lifted,
        lifted_by=cast.hr if lifted else None,
    )


def referred(cast: Any, unit: Any, category: str, name: str = "") -> Case:
    kwargs = {"org_unit": unit, "ethnic_category": category}
    if name:
        kwargs["name"] = name
    return Story(cast, EmployeeFactory(**kwargs)).submitted()


@pytest.fixture
def register(cast, units) -> dict[str, Any]:
    """Headcount at 31 March 2025: Emergency Department 600 white and 250 BME,
    Theatres 400 white and 150 BME (trust-wide 1,000 white, 400 BME).
    Measures started in 2024/25:
    * ED, white: 6 staff (4 suspended, 2 restricted); the first five lifted
      after 10, 20, 30, 40 and 50 days; the first then redeployed (still on
      31 March), the sixth still suspended;
    * Theatres, white: 4 staff suspended, none lifted;
    * ED, BME: 6 staff (3 suspended, 3 restricted), none lifted;
    * Theatres, BME: 2 staff suspended, lifted after 5 days.
    Trust-wide: 10 white of 1,000 and 8 BME of 400: rates 1% and 2%, so the
    relative likelihood is 2.0."""
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,600",
            "2025-03-31,DEP-ED,N,250",
            "2025-03-31,DEP-THE,A,400",
            "2025-03-31,DEP-THE,H,150",
        )
    )
    ed_white = [referred(cast, units["ed"], "A", f"Whitney Ed {i}") for i in range(6)]
    for i, case in enumerate(ed_white[:5]):
        measure(cast, case, "suspension" if i < 4 else "restriction", "2024-05-01", 10 * (i + 1))
    measure(cast, ed_white[5], "restriction", "2024-09-01")
    measure(cast, ed_white[0], "redeployment", "2024-07-01")
    for _ in range(4):
        measure(cast, referred(cast, units["the"], "A"), "suspension", "2024-06-01")
    for i in range(6):
        kind = "suspension" if i < 3 else "restriction"
        measure(cast, referred(cast, units["ed"], "N"), kind, "2024-10-01")
    for _ in range(2):
        measure(cast, referred(cast, units["the"], "H"), "suspension", "2024-11-01", 5)
    return {"ed_white": ed_white}


def row_of(pack: Any, unit: str) -> SuspensionRow:
    found: SuspensionRow = next(r for r in pack.suspensions if r.org_unit == unit)
    return found


def test_the_relative_likelihood_matches_the_hand_computed_example(register):
    pack = governance_pack(year=YEAR, window=1, suppressed=False)
    trust = row_of(pack, "TRUST")
    white, bme = trust.groups["white"], trust.groups["bme"]
    assert (white.counts["any"].value, white.headcount.value) == (10, 1000)
    assert (bme.counts["any"].value, bme.headcount.value) == (8, 400)
    assert white.rate.percent == "1.00%"
    assert bme.rate.percent == "2.00%"
    assert trust.relative_likelihood.value == pytest.approx(2.0)
    # Katz: ln 2 +/- 1.96 * sqrt(1/8 - 1/400 + 1/10 - 1/1000)
    se = math.sqrt(1 / 8 - 1 / 400 + 1 / 10 - 1 / 1000)
    assert trust.ci95_low.value == pytest.approx(math.exp(math.log(2) - Z95 * se))
    assert trust.ci95_high.value == pytest.approx(math.exp(math.log(2) + Z95 * se))
    assert (trust.ci95_low.ratio, trust.ci95_high.ratio) == ("0.80", "5.03")
    assert trust.non_adverse is False


def test_staff_are_counted_once_and_each_kind_once(register):
    """The first ED employee had a suspension and then a redeployment: one of
    the staff with any measure, and one in each of those kinds."""
    trust = row_of(governance_pack(year=YEAR, window=1, suppressed=False), "TRUST")
    white = {m: f.value for m, f in trust.groups["white"].counts.items()}
    assert white == {"any": 10, "suspension": 8, "restriction": 2, "redeployment": 1}
    bme = {m: f.value for m, f in trust.groups["bme"].counts.items()}
    assert bme == {"any": 8, "suspension": 5, "restriction": 3, "redeployment": 0}


def test_still_suspended_at_the_years_end_and_the_median_length_of_those_lifted(register):
    pack = governance_pack(year=YEAR, window=1, suppressed=False)
    trust = row_of(pack, "TRUST")
    # White: the sixth in ED, the first's redeployment, the four in Theatres.
    assert trust.groups["white"].still.value == 6
    assert trust.groups["bme"].still.value == 6
    assert trust.groups["white"].median_days.days == "30.0 days"  # 10, 20, 30, 40, 50
    assert trust.groups["bme"].median_days.days == "5.0 days"
    assert trust.groups["unknown"].median_days.text() == "n/a"
    # A measure lifted after the year's end is still on at its end.
    Suspension.objects.filter(lifted_on__isnull=True, case__employee_ethnic_category="N").update(
        lifted_on=day("2025-04-02"), review_due_on=None
    )
    trust = row_of(governance_pack(year=YEAR, window=1, suppressed=False), "TRUST")
    assert trust.groups["bme"].still.value == 6


def test_small_counts_and_their_complements_are_suppressed(register):
    pack = governance_pack(year=YEAR, window=1, suppressed=True)
    surgery, medicine, trust = (row_of(pack, u) for u in ("ICSU-SUR", "ICSU-MED", "TRUST"))
    # Two BME staff in Surgery: hidden, and so is the ratio built on them.
    assert surgery.groups["bme"].counts["any"].text() == "suppressed"
    assert surgery.groups["bme"].rate.text() == "suppressed"
    assert surgery.relative_likelihood.ratio == "suppressed"
    assert surgery.non_adverse is None
    assert medicine.groups["bme"].counts["any"].text() == "6"
    # One redeployment (white, Medicine and trust-wide) is hidden, with another
    # count of its line (any = the kinds), or it would be 10 - 8 - 2.
    assert trust.groups["white"].counts["redeployment"].hidden
    kinds = [trust.groups["white"].counts[k] for k in ("any", "suspension", "restriction")]
    assert any(f.hidden for f in kinds)
    # Two lifted BME measures: their median is their own length.
    assert trust.groups["bme"].median_days.text() == "suppressed"
    assert trust.groups["white"].median_days.days == "30.0 days"
    assert pack.hidden_count > 0


def test_a_destroyed_case_keeps_counting_in_its_group(cast, register):
    """A tombstone keeps only its WRES group (records.retention): its measure
    still counts there, once."""
    case: Case = register["ed_white"][5]
    Case.objects.filter(pk=case.pk).update(
        destroyed_at=timezone.now(), employee=None, employee_ethnic_category="", wres_group="white"
    )
    trust = row_of(governance_pack(year=YEAR, window=1, suppressed=False), "TRUST")
    assert trust.groups["white"].counts["any"].value == 10
    assert trust.groups["white"].counts["restriction"].value == 2
    assert trust.groups["unknown"].counts["any"].value == 0


def section(html: str) -> str:
    found = re.search(r'<h2 id="suspensions">.*?(?=<h2 id="funnel">)', html, re.S)
    assert found
    return found.group(0)


def cells(html: str, unit: str, label: str) -> list[str]:
    table = re.search(rf'<table data-suspensions-unit="{unit}">(.*?)</table>', html, re.S)
    assert table
    line = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table.group(1), re.S)
    assert line
    return re.findall(r"<td>(.*?)</td>", line.group(1))


URL = "/reports/governance/?year=2024&window=1"


def test_governance_sees_the_section_with_no_case_and_no_name(client, cast, register):
    client.force_login(cast.governance)
    html = client.get(URL).content.decode()
    part = section(html)
    assert cells(part, "TRUST", "Staff suspended, restricted or redeployed") == ["10", "8", "0"]
    assert cells(part, "ICSU-SUR", "Staff suspended, restricted or redeployed")[1] == "suppressed"
    likelihood = re.search(r'<tr data-suspensions="TRUST">(.*?)</tr>', part, re.S)
    assert likelihood
    assert re.findall(r"<td[^>]*>(.*?)</td>", likelihood.group(1)) == [
        "2.00",
        "0.80\u20135.03",
        "no",
    ]
    for case in Case.objects.all():
        assert case.reference not in html
        assert case.employee_name not in html
    assert "Whitney Ed" not in html


def test_the_downloads_hold_the_section_as_the_page_shows_it(client, cast, register):
    client.force_login(cast.governance)
    url = reverse("reports:governance_export", args=["csv"]) + "?year=2024&window=1"
    body = client.get(url).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    mine = {(r[1], r[5], r[6]): r[7] for r in rows if r[0] == "suspensions"}
    pack = governance_pack(year=YEAR, window=1, suppressed=True)
    for row in pack.suspensions:
        assert mine[(row.org_unit, "", "relative_likelihood")] == str(
            row.relative_likelihood.export()
        )
        for group, figures in row.groups.items():
            assert mine[(row.org_unit, group, "headcount")] == str(figures.headcount.export())
            assert mine[(row.org_unit, group, "Staff suspended, restricted or redeployed")] == str(
                figures.counts["any"].export()
            )
    assert mine[("ICSU-SUR", "bme", "Staff suspended, restricted or redeployed")] == "[c]"
    assert mine[("TRUST", "white", "median days of the measures lifted")] == "30.0"
    assert "Whitney Ed" not in body
    assert not any(c.reference in body for c in Case.objects.all())


def test_the_pack_takes_the_same_number_of_queries_with_more_cases(cast, units, register):
    with CaptureQueriesContext(connection) as few:
        governance_pack(year=YEAR, window=1)
    for i in range(6):
        case = referred(cast, units["amu"], "N" if i % 2 else "A")
        measure(cast, case, "restriction", "2024-08-01", 15 if i % 3 else None)
    with CaptureQueriesContext(connection) as more:
        governance_pack(year=YEAR, window=1)
    assert len(few) == len(more)


KINDS = ["suspension", "restriction", "redeployment"]
registers = st.lists(
    st.tuples(
        st.sampled_from(["ICSU-A", "ICSU-B", None]),
        st.sampled_from(["white", "bme", "unknown"]),
        st.sets(st.sampled_from(KINDS), min_size=1),  # the kinds one person had
        st.booleans(),  # still under a measure at the year's end
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(registers)
def test_no_small_suspension_count_is_shown_or_recoverable(people):
    counts: Counter[Any] = Counter()
    for icsu, group, kinds, still in people:
        for unit in ["TRUST"] + ([icsu] if icsu else []):
            for m in ["any", *kinds] + (["still"] if still else []):
                counts[(unit, group, m)] += 1
    values, relations, published = _suspension_cells(counts, TwoIcsus())  # type: ignore[arg-type]
    hidden = suppress(values, relations, published=published, threshold=5)
    small = {k for k, v in values.items() if 0 < v < 5}
    assert small & published <= hidden
    assert not recoverable(hidden | (set(values) - published), relations) & small
