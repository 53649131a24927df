"""What leaves a trust: a suppressed figure without its value, and every
shown figure printed by the regional pack exactly as the trust's own pack
prints it, for any value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from regional.figures import COUNT_MEASURES, figure_of, shared_figure
from reports.pack import Figure

COUNTS = sorted(COUNT_MEASURES)
SHARES = ["rate", "relative_likelihood", "ci95_low", "ci95_high", "formal_share"]
finite = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
count = st.integers(min_value=0, max_value=10**9)
# A two-year window's entries are a mean of two whole years: n or n + 0.5.
half = st.integers(min_value=0, max_value=10**9).map(lambda n: n / 2)


def printed(figure: Figure) -> tuple[str, str, str]:
    return figure.text(), figure.percent, figure.ratio


@given(
    measure=st.sampled_from(COUNTS + SHARES),
    value=st.one_of(st.none(), count, finite, half),
    hidden=st.booleans(),
)
def test_a_figure_leaves_the_trust_as_the_trust_prints_it(measure, value, hidden):
    if measure in COUNTS and isinstance(value, float) and not (2 * value).is_integer():
        value = round(value)  # counts and means of counts only
    if measure in SHARES and value is not None:
        value = float(value)  # the pack's rates and ratios are always floats
    original = Figure(value, hidden)
    shared = shared_figure(("indicator3", 1, "white", measure), original)
    assert shared.suppressed == hidden
    if hidden:
        assert shared.value is None  # the value never leaves
    back = figure_of(measure, shared.value, shared.suppressed)
    if measure in COUNTS and isinstance(value, float) and value.is_integer():
        original = Figure(int(value), hidden)  # the pack holds whole counts as int
    assert printed(back) == printed(original)
