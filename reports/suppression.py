"""Small-cell suppression for anything governance viewers see.

The rule (README, "WRES indicator 3 and the governance pack"):

* **Primary**: a count from 1 to ``threshold - 1`` is not shown. Zero is
  shown: it reveals no person.
* **Secondary**: no suppressed small count may be recovered from the
  figures that are shown by adding and subtracting along the table's
  totals. The tables declare their additive relations (``total = parts``:
  white + BME + unknown = all; trust = ICSUs + units in no ICSU; a funnel
  step = the ways out of it; a two-year sum = its two years). Counts that
  are never published (such as cases in units outside any ICSU) are treated
  as hidden, and protected too when small.

Two passes, repeated until nothing changes: the cheap one hides one more
member of any relation in which a protected count is the only hidden one
(the smallest other non-zero count, else a zero, else the total); the exact
one solves the relations over the hidden counts (Gaussian elimination,
modulo a large prime, per connected group of hidden counts) and, if a
protected count is still determined, hides another member of a relation it
is in. What this does not defend against is inference from bounds (a
hidden count is known to be non-negative): it stops exact recovery, which
is what "derived by subtraction" means here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Key = Any  # any hashable: the tables use tuples
_PRIME = (1 << 61) - 1


@dataclass(frozen=True)
class Relation:
    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def suppress(
    values: Mapping[Key, int],
    relations: Sequence[Relation],
    *,
    published: Iterable[Key],
    threshold: int,
) -> set[Key]:
    """The published keys that must not be shown."""
    shown = set(published)
    protect = {k for k, v in values.items() if 0 < v < threshold}
    hidden = (protect & shown) | (set(values) - shown)
    by_cell: dict[Key, list[Relation]] = defaultdict(list)
    for relation in relations:
        for member in relation.members:
            by_cell[member].append(relation)
    while _cheap_pass(values, relations, hidden, protect) or _exact_pass(
        values, by_cell, hidden, protect
    ):
        pass
    return hidden & shown


def _cheap_pass(
    values: Mapping[Key, int], relations: Sequence[Relation], hidden: set[Key], protect: set[Key]
) -> bool:
    changed = False
    for relation in relations:
        alone = [m for m in relation.members if m in hidden]
        if len(alone) == 1 and alone[0] in protect:
            hidden.add(_next_to_hide(values, relation, hidden))
            changed = True
    return changed


def _next_to_hide(values: Mapping[Key, int], relation: Relation, hidden: set[Key]) -> Key:
    """The visible member whose hiding costs least: the smallest non-zero
    part, else a zero part, else the total."""
    parts = [p for p in relation.parts if p not in hidden]
    nonzero = sorted((p for p in parts if values[p] > 0), key=lambda p: values[p])
    zeros = [p for p in parts if values[p] == 0]
    choice = (nonzero or zeros or [relation.total])[0]
    if choice in hidden:
        raise ValueError("No visible member left to hide in this relation.")
    return choice


def _exact_pass(
    values: Mapping[Key, int],
    by_cell: Mapping[Key, list[Relation]],
    hidden: set[Key],
    protect: set[Key],
) -> bool:
    for component in _components(hidden, by_cell):
        if not component & protect:
            continue
        for cell in sorted(determined(component, by_cell) & protect, key=repr):
            for relation in by_cell.get(cell, []):
                if any(m not in hidden for m in relation.members):
                    hidden.add(_next_to_hide(values, relation, hidden))
                    return True
            # Every relation through it is hidden already: widen from its neighbours.
            for relation in by_cell.get(cell, []):
                for member in relation.members:
                    for other in by_cell.get(member, []):
                        if any(m not in hidden for m in other.members):
                            hidden.add(_next_to_hide(values, other, hidden))
                            return True
    return False


def _components(hidden: set[Key], by_cell: Mapping[Key, list[Relation]]) -> list[set[Key]]:
    """Hidden counts linked through relations they share."""
    seen: set[Key] = set()
    found = []
    for start in hidden:
        if start in seen or start not in by_cell:
            continue
        component, queue = {start}, [start]
        while queue:
            cell = queue.pop()
            for relation in by_cell[cell]:
                for member in relation.members:
                    if member in hidden and member not in component:
                        component.add(member)
                        queue.append(member)
        seen |= component
        found.append(component)
    return found


def determined(unknowns: set[Key], by_cell: Mapping[Key, list[Relation]]) -> set[Key]:
    """The unknowns whose value the relations fix, given every other member.

    Each relation touching the unknowns is one linear equation over them;
    an unknown is fixed exactly when its unit vector lies in the equations'
    row space: in reduced row-echelon form, a row with a single entry."""
    index = {cell: i for i, cell in enumerate(sorted(unknowns, key=repr))}
    equations = {id(r): r for cell in unknowns for r in by_cell.get(cell, [])}
    basis: dict[int, dict[int, int]] = {}  # pivot column -> reduced row
    for relation in equations.values():
        row: dict[int, int] = {}
        for member, coef in ((relation.total, -1), *((p, 1) for p in relation.parts)):
            if member in index:
                col = index[member]
                row[col] = (row.get(col, 0) + coef) % _PRIME
        _insert(basis, {c: v for c, v in row.items() if v})
    cells = {i: cell for cell, i in index.items()}
    return {cells[pivot] for pivot, row in basis.items() if len(row) == 1}


def _insert(basis: dict[int, dict[int, int]], row: dict[int, int]) -> None:
    for col in [c for c in row if c in basis]:
        _subtract(row, basis[col], row.get(col, 0))
    if not row:
        return
    pivot = min(row)
    inverse = pow(row[pivot], _PRIME - 2, _PRIME)
    row = {c: v * inverse % _PRIME for c, v in row.items()}
    for other in basis.values():
        if pivot in other:
            _subtract(other, row, other[pivot])
    basis[pivot] = row


def _subtract(row: dict[int, int], pivot_row: dict[int, int], factor: int) -> None:
    """row -= factor * pivot_row (mod p), dropping zeros."""
    if not factor:
        return
    for col, value in pivot_row.items():
        new = (row.get(col, 0) - factor * value) % _PRIME
        if new:
            row[col] = new
        else:
            row.pop(col, None)
