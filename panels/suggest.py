"""Suggesting a panel: eligible members who meet every rule, with the load spread.

Pure: it takes the pool and the case as plain facts (``panels.rules``), so it
costs no queries however large the pool, and the property tests call it
directly.

The choice is greedy on load with a small exact search for the rules:

* Eligible members are put in load order: fewest open panels first, then the
  longest since they last sat (never first), then user id, so the same pool
  always gives the same answer.
* For the composition rules a member is one of at most 16 kinds (may chair,
  trained independent, outside the ICSU, in a network). Whether a panel is
  valid depends only on how many of each kind it has, and for given counts
  the best pick is the least-loaded members of each kind. So the search
  tries every way of filling the panel's seats with kinds (at most
  C(20, 5) = 15,504 for five seats) and keeps the valid one whose members'
  load positions, sorted, are lexicographically smallest: exactly "take the
  least-loaded member who still leaves a valid panel possible".
* The smallest valid size is chosen, so nobody sits who is not needed.

Every pool member is given a verdict: why they were chosen, or why not.
When no valid panel exists, the suggestion says which rules cannot be met.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations_with_replacement

from .rules import (
    CaseFacts,
    Member,
    PanelRule,
    PanelRules,
    Reason,
    composition_counts,
    day_label,
    eligibility,
    strengths,
)

NOT_CHOSEN = (
    "eligible, not chosen: the rules were met by members with fewer open panels "
    "or a longer wait since their last panel"
)
NONE_POSSIBLE = "eligible, but no panel that meets every rule could be formed"


@dataclass(frozen=True)
class Verdict:
    """One pool member's place in the suggestion, with the reasons."""

    user_id: int
    name: str
    status: str  # chair, member, kept, eligible or excluded
    reasons: tuple[str, ...]

    @property
    def chosen(self) -> bool:
        return self.status in ("chair", "member", "kept")


@dataclass(frozen=True)
class Suggestion:
    member_ids: tuple[int, ...]  # chair first; empty when no valid panel exists
    chair_id: int | None
    verdicts: tuple[Verdict, ...]
    problems: tuple[str, ...]  # why no valid panel exists, each naming its rule

    @property
    def found(self) -> bool:
        return bool(self.member_ids)


def load_key(member: Member) -> tuple[int, dt.date, int]:
    return (member.open_panels, member.last_sat or dt.date.min, member.user_id)


def suggest_panel(
    pool: Sequence[Member],
    case: CaseFacts,
    rules: PanelRules,
    *,
    keep: Sequence[Member] = (),
    chair_id: int | None = None,
    size: int | None = None,
) -> Suggestion:
    """The best panel from ``pool`` for ``case``, or why there is none.

    ``keep``: members already sitting (a replacement fills the seats left);
    ``chair_id``: a sitting chair who stays; ``size``: the panel's size, when
    fixed (a replacement keeps it); otherwise the smallest size that works.
    """
    kept = {m.user_id for m in keep}
    excluded = {m.user_id: eligibility(m, case) for m in pool if m.user_id not in kept}
    eligible = sorted(
        (m for m in pool if m.user_id in excluded and not excluded[m.user_id]), key=load_key
    )
    sizes = (
        [size]
        if size is not None
        else range(max(rules.min_members, len(keep)), rules.max_members + 1)
    )
    best: _Pick | None = None
    for n in sizes:
        best = _search(eligible, list(keep), chair_id, n, case, rules)
        if best is not None:
            break
    problems = () if best else tuple(_why_not(pool, eligible, keep, chair_id, case, rules))
    return Suggestion(
        member_ids=best.member_ids if best else (),
        chair_id=best.chair.user_id if best else None,
        verdicts=_verdicts(pool, keep, eligible, excluded, best, case, rules),
        problems=problems,
    )


@dataclass(frozen=True)
class _Pick:
    score: tuple[int, ...]
    members: tuple[Member, ...]
    chair: Member

    @property
    def member_ids(self) -> tuple[int, ...]:
        rest = [m.user_id for m in self.members if m.user_id != self.chair.user_id]
        return (self.chair.user_id, *rest)


def _search(
    eligible: list[Member],
    keep: list[Member],
    chair_id: int | None,
    n: int,
    case: CaseFacts,
    rules: PanelRules,
) -> _Pick | None:
    seats = n - len(keep)
    if seats < 0 or seats > len(eligible):
        return None
    rank = {m.user_id: i for i, m in enumerate(eligible)}
    kinds: dict[tuple[bool, ...], list[Member]] = {}
    for m in eligible:  # in load order, so each kind's list is too
        s = strengths(m, case, rules)
        kinds.setdefault((s.chair, s.independent, s.outside, s.network), []).append(m)
    names = list(kinds)
    best: _Pick | None = None
    for combo in combinations_with_replacement(range(len(names)), seats):
        counts = Counter(combo)
        if any(c > len(kinds[names[k]]) for k, c in counts.items()):
            continue
        chosen = [m for k, c in counts.items() for m in kinds[names[k]][:c]]
        panel = (*keep, *chosen)
        chair = _chair(panel, keep, chair_id, rules)
        if chair is None or not _counts_met(panel, case, rules):
            continue
        score = tuple(sorted(rank[m.user_id] for m in chosen))
        if best is None or score < best.score:
            best = _Pick(score, panel, chair)
    return best


def _chair(
    panel: Sequence[Member], keep: Sequence[Member], chair_id: int | None, rules: PanelRules
) -> Member | None:
    """The sitting chair if there is one; else who may chair, members already
    sitting first (they have declared), then the least loaded."""
    if chair_id is not None:
        fixed = next((m for m in panel if m.user_id == chair_id), None)
        return fixed if fixed is not None and fixed.can_chair(rules) else None
    kept = {m.user_id for m in keep}
    able = [m for m in panel if m.can_chair(rules)]
    return min(able, key=lambda m: (m.user_id not in kept, load_key(m)), default=None)


def _counts_met(panel: Sequence[Member], case: CaseFacts, rules: PanelRules) -> bool:
    return not any(c.short for c in composition_counts(panel, case, rules))


def _why_not(
    pool: Sequence[Member],
    eligible: list[Member],
    keep: Sequence[Member],
    chair_id: int | None,
    case: CaseFacts,
    rules: PanelRules,
) -> list[str]:
    """Which rules no panel from this pool can meet, each named."""
    if not pool and not keep:
        return [str(Reason(PanelRule.SIZE, "the panel pool is empty."))]
    available = [*keep, *eligible]
    reasons: list[Reason] = []
    if len(available) < rules.min_members:
        text = (
            f"only {len(available)} pool members may sit on this case; "
            f"a panel needs at least {rules.min_members}."
        )
        reasons.append(Reason(PanelRule.SIZE, text))
    fixed = next((m for m in keep if m.user_id == chair_id), None)
    if fixed is not None and not fixed.can_chair(rules):
        text = f"the sitting chair is below band {rules.chair_min_band}."
        reasons.append(Reason(PanelRule.CHAIR_BAND, text))
    elif not any(m.can_chair(rules) for m in available):
        text = f"no member who may sit on this case is at band {rules.chair_min_band} or above."
        reasons.append(Reason(PanelRule.CHAIR_BAND, text))
    for count in composition_counts(available, case, rules):
        if count.short:
            text = (
                f"the panel needs {count.needed}; only {count.has} "
                f"{count.nouns} may sit on this case."
            )
            reasons.append(Reason(count.rule, text))
    if not reasons:
        text = (
            f"no panel of {rules.min_members} to {rules.max_members} members from the "
            f"{len(available)} who may sit meets every rule at once."
        )
        reasons.append(Reason(PanelRule.SIZE, text))
    return [str(r) for r in reasons] + _exclusion_summary(pool, len(eligible), keep)


def _exclusion_summary(pool: Sequence[Member], eligible: int, keep: Sequence[Member]) -> list[str]:
    kept = {m.user_id for m in keep}
    others = len([m for m in pool if m.user_id not in kept])
    if others == eligible:
        return []
    return [f"{others - eligible} of {others} pool members cannot sit on this case (see each one)."]


def _verdicts(
    pool: Sequence[Member],
    keep: Sequence[Member],
    eligible: list[Member],
    excluded: dict[int, list[Reason]],
    best: _Pick | None,
    case: CaseFacts,
    rules: PanelRules,
) -> tuple[Verdict, ...]:
    kept = {m.user_id for m in keep}
    chosen = set(best.member_ids) if best else set()
    chair = best.chair.user_id if best else None
    verdicts = []
    for m in [*keep, *(m for m in pool if m.user_id not in kept)]:
        notes = (*strengths(m, case, rules).notes, _load(m))
        if m.user_id in kept:
            status = "chair" if m.user_id == chair else "kept"
            verdict = Verdict(m.user_id, m.name, status, ("already sits on this panel", *notes))
        elif m.user_id in chosen:
            status = "chair" if m.user_id == chair else "member"
            verdict = Verdict(m.user_id, m.name, status, ("chosen", *notes))
        elif excluded[m.user_id]:
            reasons = tuple(str(r) for r in excluded[m.user_id])
            verdict = Verdict(m.user_id, m.name, "excluded", reasons)
        else:
            why = NOT_CHOSEN if best else NONE_POSSIBLE
            verdict = Verdict(m.user_id, m.name, "eligible", (why, *notes))
        verdicts.append(verdict)
    order = {"chair": 0, "member": 1, "kept": 1, "eligible": 2, "excluded": 3}
    position = {m.user_id: i for i, m in enumerate(eligible)}
    verdicts.sort(key=lambda v: (order[v.status], position.get(v.user_id, 0), v.name, v.user_id))
    return tuple(verdicts)


def _load(member: Member) -> str:
    panels = f"{member.open_panels} open panel{'' if member.open_panels == 1 else 's'}"
    last = f"last convened {day_label(member.last_sat)}" if member.last_sat else "never convened"
    return f"{panels}; {last}"
