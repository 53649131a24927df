"""Small-cell suppression: no count under the threshold is shown, and none
can be worked out from what is shown by adding and subtracting totals."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import Relation, suppress

T = 5


def table(cells: list[list[int]]) -> tuple[dict[Any, int], list[Relation]]:
    """A table with row totals, column totals and a grand total."""
    rows, cols = len(cells), len(cells[0])
    values: dict[Any, int] = {(r, c): cells[r][c] for r in range(rows) for c in range(cols)}
    for r in range(rows):
        values[(r, "total")] = sum(cells[r])
    for c in range(cols):
        values[("total", c)] = sum(cells[r][c] for r in range(rows))
    values[("total", "total")] = sum(map(sum, cells))
    relations = [Relation((r, "total"), tuple((r, c) for c in range(cols))) for r in range(rows)]
    relations += [Relation(("total", c), tuple((r, c) for r in range(rows))) for c in range(cols)]
    relations.append(Relation(("total", "total"), tuple((r, "total") for r in range(rows))))
    relations.append(Relation(("total", "total"), tuple(("total", c) for c in range(cols))))
    return values, relations


Row = dict[int, Fraction]  # an equation over the unknowns: column -> coefficient


def recoverable(hidden: set[Any], relations: list[Relation]) -> set[Any]:
    """Hidden cells whose value the shown cells and the relations fix: plain
    Gaussian elimination over the rationals (independent of the code, which
    works modulo a prime), then a cell is fixed when some row of the reduced
    echelon form names it alone."""
    unknowns = sorted(hidden, key=repr)
    index = {k: i for i, k in enumerate(unknowns)}
    pivots: dict[int, Row] = {}
    for row in _equations(relations, index):
        row = _reduced(row, pivots)
        if row:
            _add_pivot(pivots, row)
    return {unknowns[p] for p, row in pivots.items() if len(row) == 1}


def _equations(relations: list[Relation], index: dict[Any, int]) -> list[Row]:
    """Each relation (total = sum of parts) over the hidden cells only."""
    rows: list[Row] = []
    for rel in relations:
        row: Row = {}
        for member, coef in ((rel.total, -1), *((p, 1) for p in rel.parts)):
            if member in index:
                row[index[member]] = row.get(index[member], Fraction(0)) + coef
        row = {c: v for c, v in row.items() if v}
        if row:
            rows.append(row)
    return rows


def _reduced(row: Row, pivots: dict[int, Row]) -> Row:
    """``row`` less every pivot row it names."""
    for col in [c for c in row if c in pivots]:
        if col in row:
            f = row[col]
            for c, v in pivots[col].items():
                row[c] = row.get(c, Fraction(0)) - f * v
            row = {c: v for c, v in row.items() if v}
    return row


def _add_pivot(pivots: dict[int, Row], row: Row) -> None:
    """Normalise ``row`` on its first column and clear that column from the others."""
    pivot = min(row)
    row = {c: v / row[pivot] for c, v in row.items()}
    for other in pivots.values():
        if pivot in other:
            f = other[pivot]
            for c, v in row.items():
                other[c] = other.get(c, Fraction(0)) - f * v
            for c in [c for c, v in other.items() if not v]:
                del other[c]
    pivots[pivot] = row


def test_a_lone_small_count_in_a_row_takes_a_second_cell_with_it():
    values, relations = table([[3, 10, 12], [20, 30, 40]])
    # Alone, the 3 would be given away by its row's total (the check can tell).
    assert recoverable({(0, 0)}, relations) == {(0, 0)}
    assert recoverable({(0, 0), (0, 1), (1, 0), (1, 1)}, relations) == set()
    hidden = suppress(values, relations, published=values, threshold=T)
    assert (0, 0) in hidden
    assert len(hidden) >= 4  # its row, its column and a partner in each
    assert not recoverable(hidden, relations) & {(0, 0)}


def test_zero_is_shown_and_large_counts_stay_when_nothing_is_small():
    values, relations = table([[0, 10], [20, 30]])
    assert suppress(values, relations, published=values, threshold=T) == set()


def test_an_unpublished_small_count_is_protected_too():
    # The trust = two ICSUs + units in no ICSU (never shown): 100 = 60 + 38 + 2.
    values = {"trust": 100, "a": 60, "b": 38, "outside": 2}
    relations = [Relation("trust", ("a", "b", "outside"))]
    hidden = suppress(values, relations, published={"trust", "a", "b"}, threshold=T)
    assert hidden == {"b"}


cells = st.integers(min_value=2, max_value=4).flatmap(
    lambda cols: st.lists(
        st.lists(
            st.one_of(st.integers(0, 0), st.integers(1, 4), st.integers(5, 40)),
            min_size=cols,
            max_size=cols,
        ),
        min_size=2,
        max_size=4,
    )
)


@settings(max_examples=150, deadline=None)
@given(cells, st.integers(min_value=1, max_value=8))
def test_no_small_count_is_shown_or_recoverable_by_subtraction(grid, threshold):
    values, relations = table(grid)
    hidden = suppress(values, relations, published=values, threshold=threshold)
    small = {k for k, v in values.items() if 0 < v < threshold}
    assert small <= hidden
    assert not recoverable(hidden, relations) & small


@settings(max_examples=60, deadline=None)
@given(cells)
def test_with_nothing_small_nothing_is_hidden(grid):
    values, relations = table([[v + 5 for v in row] for row in grid])
    assert suppress(values, relations, published=values, threshold=5) == set()
