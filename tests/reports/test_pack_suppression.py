"""Suppression over the pack's own funnel tables: white + BME + unknown = all,
trust = ICSUs + units in no ICSU, each step = the ways out of it."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.grouping import TRUST, Unit
from reports.pack import _funnel_cells
from reports.selectors import funnel_measures
from reports.suppression import suppress

from .test_suppression import recoverable

PATHS = [
    ("submitted", "", False),
    ("closed", "redirected", False),
    ("closed", "resolved_informally", False),
    ("closed", "withdrawn", False),
    ("panel", "", True),
    ("closed", "mediation", True),
    ("closed", "no_further_action", True),
    ("closed", "withdrawn", True),
    ("signoff", "", True),
    ("formal", "formal_investigation", True),
]


class TwoIcsus:
    icsus = [Unit(1, "ICSU-A", "A"), Unit(2, "ICSU-B", "B")]

    def codes(self) -> list[str]:
        return [TRUST, "ICSU-A", "ICSU-B"]


cases = st.lists(
    st.tuples(
        st.sampled_from(["ICSU-A", "ICSU-B", None]),
        st.sampled_from(["white", "bme", "unknown"]),
        st.sampled_from(PATHS),
    ),
    max_size=60,
)


def funnel(
    made: list[tuple[str | None, str, tuple[str, str, bool]]],
) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for icsu, group, path in made:
        for unit in [TRUST] + ([icsu] if icsu else []):
            for g in (group, "all"):
                for measure in funnel_measures(*path):
                    counts[(unit, g, measure)] += 1
    return counts


@settings(max_examples=60, deadline=None)
@given(cases)
def test_no_small_funnel_count_is_shown_or_recoverable(made):
    # TwoIcsus stands in for a UnitMap: codes() is all the funnel reads.
    values, relations, published = _funnel_cells(funnel(made), TwoIcsus())  # type: ignore[arg-type]
    hidden = suppress(values, relations, published=published, threshold=5)
    small = {k for k, v in values.items() if 0 < v < 5}
    assert small & published <= hidden
    not_shown = hidden | (set(values) - published)
    assert not recoverable(not_shown, relations) & small
