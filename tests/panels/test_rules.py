"""The panel rules and the suggestion, over random pools and cases (hypothesis).

Pure functions, no database: each example is a pool of members with random
org units, bands, line managers, training, absences, networks and load, a
case with a random referrer, employee and declared conflicts, and random
trust settings. Whatever comes out:

* every suggested panel meets every rule and seats nobody with a conflict;
* when no panel is suggested, none exists (checked by trying every panel),
  and the suggestion says which rules cannot be met;
* the suggestion is the least-loaded valid panel of the smallest size;
* a panel the rules accept really has each property the rules promise.
"""

from __future__ import annotations

import datetime as dt
from itertools import combinations
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from panels.rules import (
    BANDS,
    EARLIER,
    INVOLVED_AS_TEXT,
    CaseFacts,
    FormalRole,
    InvolvedAs,
    Involvement,
    Member,
    PanelRule,
    PanelRules,
    band_rank,
    composition_errors,
    eligibility,
    independence,
)
from panels.suggest import load_key, suggest_panel

TODAY = dt.date(2026, 6, 1)
EMPLOYEE = 1000  # the employee the case is about
CHAIN = [2000, 2001, 2002]  # employee ids around them in the management chain
UNITS = [11, 12, 21, 22, 31]  # department ids; the ICSU is the tens digit
NETWORKS = ["race equality network", "disability network", "LGBT+ network"]

days = st.integers(-60, 60).map(lambda n: TODAY + dt.timedelta(days=n))


@st.composite
def cases(draw: Any) -> CaseFacts:
    unit = draw(st.sampled_from(UNITS))
    return CaseFacts(
        referrer_id=draw(st.sampled_from([50, *range(1, 13)])),
        employee_id=EMPLOYEE,
        unit_id=unit,
        icsu_id=unit // 10,
        managers=frozenset(draw(st.sets(st.sampled_from(CHAIN)))),
        today=TODAY,
        declared_conflicts=frozenset(draw(st.sets(st.integers(1, 12), max_size=2))),
    )


# Most pool members could sit; some carry one reason not to (and some, by the
# luck of the draw, more than one).
DEFECTS = ["none"] * 8 + [
    "no role",
    "not in pool",
    "no employee record",
    "the employee",
    "manages them",
    "managed by them",
    "same department",
    "away",
]


@st.composite
def members(draw: Any, user_id: int, case: CaseFacts) -> Member:
    defect = draw(st.sampled_from(DEFECTS))
    employee = {
        "no employee record": None,
        "the employee": EMPLOYEE,
        "manages them": min(case.managers, default=CHAIN[0]),
    }.get(defect, 3000 + user_id)
    others = [u for u in [*UNITS, 1] if u != case.unit_id]
    unit = case.unit_id if defect == "same department" else draw(st.sampled_from(others))
    managed = defect == "managed by them"
    away = draw(days) if defect == "away" else draw(st.one_of(st.none(), st.none(), days))
    return Member(
        user_id=user_id,
        name=f"Member {user_id}",
        panel_role=defect != "no role",
        in_pool=defect != "not in pool",
        employee_id=employee,
        unit_id=unit,
        icsu_id=unit // 10 or None,  # unit 1 is trust level: no ICSU
        band=draw(st.sampled_from(["8a", "6", "8b", "7", "", *BANDS])),
        managers=frozenset({EMPLOYEE} if managed else draw(st.sets(st.sampled_from(CHAIN)))),
        independent_until=draw(st.one_of(days, st.none())),
        away_until=away,
        networks=frozenset(draw(st.sets(st.sampled_from(NETWORKS), max_size=2))),
        open_panels=draw(st.integers(0, 3)),
        last_sat=draw(st.one_of(st.none(), days)),
    )


Scenario = tuple[list[Member], CaseFacts, PanelRules]


@st.composite
def scenarios(draw: Any, max_size: int = 9) -> Scenario:
    case = draw(cases())
    n = draw(st.one_of(st.integers(max_size - 3, max_size), st.integers(0, max_size)))
    return [draw(members(i, case)) for i in range(1, n + 1)], case, draw(trust_rules())


@st.composite
def trust_rules(draw: Any) -> PanelRules:
    lo = draw(st.sampled_from([3, 2, 1, 4]))
    hi = min(5, lo + draw(st.integers(0, 2)))
    return PanelRules(
        min_members=lo,
        max_members=hi,
        min_independent=draw(st.sampled_from([1, 0, 2])),
        min_outside_icsu=draw(st.sampled_from([1, 0, 2])),
        min_network=draw(st.sampled_from([0, 1])),
        chair_min_band=draw(st.sampled_from(["6", "7", "8a", "8b"])),
    )


def valid_panels(pool: list[Member], case: CaseFacts, rules: PanelRules, size: int) -> list[Any]:
    """Every (members, chair) of ``size`` from ``pool`` the rules accept: the oracle."""
    found = []
    for group in combinations(pool, size):
        for chair in group:
            if not composition_errors(group, chair.user_id, case, rules):
                found.append((group, chair))
    return found


def by_id(pool: list[Member], ids: tuple[int, ...]) -> list[Member]:
    index = {m.user_id: m for m in pool}
    return [index[i] for i in ids]


# --- the suggestion -----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios())
def test_every_suggested_panel_meets_every_rule_and_seats_no_conflicted_member(
    scenario: Scenario,
) -> None:
    pool, case, rules = scenario
    suggestion = suggest_panel(pool, case, rules)
    if not suggestion.found:
        return
    panel = by_id(pool, suggestion.member_ids)
    assert composition_errors(panel, suggestion.chair_id, case, rules) == []
    assert len(set(suggestion.member_ids)) == len(panel)
    assert suggestion.member_ids[0] == suggestion.chair_id
    assert all(eligibility(m, case) == [] for m in panel)
    assert suggestion.problems == ()


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios())
def test_when_nothing_is_suggested_no_valid_panel_exists_and_the_rules_are_named(
    scenario: Scenario,
) -> None:
    pool, case, rules = scenario
    suggestion = suggest_panel(pool, case, rules)
    if suggestion.found:
        return
    eligible = [m for m in pool if not eligibility(m, case)]
    for size in range(rules.min_members, rules.max_members + 1):
        assert valid_panels(eligible, case, rules, size) == []
    assert suggestion.problems
    labels = [r.label for r in PanelRule]
    assert any(p.startswith(tuple(f"{label}:" for label in labels)) for p in suggestion.problems)
    assert suggestion.chair_id is None
    assert not any(v.chosen for v in suggestion.verdicts)


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(max_size=8))
def test_the_suggestion_is_the_smallest_and_least_loaded_valid_panel(scenario: Scenario) -> None:
    pool, case, rules = scenario
    suggestion = suggest_panel(pool, case, rules)
    if not suggestion.found:
        return
    eligible = sorted((m for m in pool if not eligibility(m, case)), key=load_key)
    size = len(suggestion.member_ids)
    for smaller in range(rules.min_members, size):
        assert valid_panels(eligible, case, rules, smaller) == []
    rank = {m.user_id: i for i, m in enumerate(eligible)}
    chosen = sorted(rank[i] for i in suggestion.member_ids)
    for group, _chair in valid_panels(eligible, case, rules, size):
        assert chosen <= sorted(rank[m.user_id] for m in group)


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios())
def test_every_pool_member_is_given_a_verdict_with_reasons(scenario: Scenario) -> None:
    pool, case, rules = scenario
    suggestion = suggest_panel(pool, case, rules)
    assert sorted(v.user_id for v in suggestion.verdicts) == sorted(m.user_id for m in pool)
    for verdict in suggestion.verdicts:
        assert verdict.reasons
        member = by_id(pool, (verdict.user_id,))[0]
        assert (verdict.status == "excluded") == bool(eligibility(member, case))
        assert verdict.chosen == (verdict.user_id in suggestion.member_ids)


@settings(max_examples=150, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_a_replacement_keeps_the_sitting_members_and_still_meets_every_rule(
    scenario: Scenario, data: st.DataObject
) -> None:
    pool, case, rules = scenario
    first = suggest_panel(pool, case, rules)
    if not first.found or len(first.member_ids) < 2:
        return
    gone = data.draw(st.sampled_from(first.member_ids))
    keep = [m for m in by_id(pool, first.member_ids) if m.user_id != gone]
    chair = first.chair_id if first.chair_id != gone else None
    # The one who stood down has declared a conflict on the case.
    case = CaseFacts(**{**vars(case), "declared_conflicts": case.declared_conflicts | {gone}})
    size = len(first.member_ids)

    again = suggest_panel(pool, case, rules, keep=keep, chair_id=chair, size=size)

    if again.found:
        assert {m.user_id for m in keep} <= set(again.member_ids)
        assert gone not in again.member_ids
        assert len(again.member_ids) == size
        assert chair is None or again.chair_id == chair
        panel = by_id(pool, again.member_ids)
        assert composition_errors(panel, again.chair_id, case, rules) == []
    else:
        assert again.problems


# --- the rules themselves ---------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_a_panel_the_rules_accept_has_every_property_they_promise(
    scenario: Scenario, data: st.DataObject
) -> None:
    pool, case, rules = scenario
    if not pool:
        return
    group = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique=True))
    chair = data.draw(st.sampled_from([*group, None]))
    chair_id = chair.user_id if chair else None
    if composition_errors(group, chair_id, case, rules):
        return
    assert rules.min_members <= len(group) <= rules.max_members
    assert chair is not None
    chair_rank, lowest = band_rank(chair.band), band_rank(rules.chair_min_band)
    assert chair_rank is not None
    assert lowest is not None
    assert chair_rank >= lowest
    assert sum(m.independent_until is not None and m.independent_until >= TODAY for m in group) >= (
        rules.min_independent
    )
    assert sum(m.employee_id is not None and m.icsu_id != case.icsu_id for m in group) >= (
        rules.min_outside_icsu
    )
    for m in group:
        assert m.panel_role
        assert m.in_pool
        assert m.employee_id is not None
        assert m.user_id != case.referrer_id
        assert m.user_id not in case.declared_conflicts
        assert m.employee_id != case.employee_id
        assert m.employee_id not in case.managers
        assert case.employee_id not in m.managers
        assert m.unit_id != case.unit_id
        assert m.away_until is None or m.away_until < TODAY


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios(), data=st.data())
def test_adding_a_conflicted_member_is_refused_naming_the_rule(
    scenario: Scenario, data: st.DataObject
) -> None:
    pool, case, rules = scenario
    suggestion = suggest_panel(pool, case, rules)
    if not suggestion.found:
        return
    conflict = data.draw(
        st.sampled_from(
            [
                Member(user_id=case.referrer_id, name="The referrer", employee_id=9999),
                Member(user_id=99, name="The employee", employee_id=EMPLOYEE, unit_id=UNITS[0]),
                Member(user_id=98, name="A colleague", employee_id=9998, unit_id=case.unit_id),
                Member(
                    user_id=97,
                    name="Their report",
                    employee_id=9997,
                    managers=frozenset({EMPLOYEE}),
                ),
            ]
        )
    )
    panel = [*(m for m in by_id(pool, suggestion.member_ids) if m.user_id != conflict.user_id)]
    errors = composition_errors([*panel, conflict], suggestion.chair_id, case, rules)
    assert any(e.rule is PanelRule.CONFLICT and conflict.name in e.text for e in errors)
    assert any(str(e).startswith("Conflict of interest: ") for e in errors)


# --- examples that read as the rules --------------------------------------------------

CASE = CaseFacts(
    referrer_id=50,
    employee_id=EMPLOYEE,
    unit_id=11,
    icsu_id=1,
    managers=frozenset({2000}),
    today=TODAY,
)
RULES = PanelRules()


def person(user_id: int, **kwargs: Any) -> Member:
    defaults: dict[str, Any] = {
        "name": f"P{user_id}",
        "employee_id": 3000 + user_id,
        "unit_id": 12,
        "icsu_id": 1,
        "band": "6",
    }
    return Member(user_id=user_id, **{**defaults, **kwargs})


CHAIR = person(1, band="8a")
AMBASSADOR = person(2, independent_until=TODAY + dt.timedelta(days=30))
OUTSIDER = person(3, unit_id=21, icsu_id=2)


def test_the_default_rules_accept_a_chair_an_ambassador_and_an_outsider() -> None:
    assert composition_errors([CHAIR, AMBASSADOR, OUTSIDER], 1, CASE, RULES) == []


def test_each_default_rule_is_named_when_broken() -> None:
    lapsed = person(2, independent_until=TODAY - dt.timedelta(days=1))
    insider = person(3)
    errors = composition_errors([person(1, band="7"), lapsed, insider], 1, CASE, RULES)
    assert {e.rule for e in errors} == {
        PanelRule.CHAIR_BAND,
        PanelRule.INDEPENDENT,
        PanelRule.OUTSIDE_ICSU,
    }
    assert [str(e).split(":")[0] for e in errors] == [
        "Chair's band",
        "Independent member",
        "Member from outside the ICSU",
    ]
    assert composition_errors([CHAIR, AMBASSADOR], 1, CASE, RULES)[0].rule is PanelRule.SIZE
    assert composition_errors([CHAIR, AMBASSADOR, OUTSIDER], None, CASE, RULES)[0].field == "chair"


def test_training_that_ends_today_is_still_current() -> None:
    assert person(2, independent_until=TODAY).independent_on(TODAY)
    assert not person(2, independent_until=TODAY - dt.timedelta(days=1)).independent_on(TODAY)


def test_each_conflict_of_interest_is_a_reason_not_to_sit() -> None:
    def reasons(member: Member, case: CaseFacts = CASE) -> list[str]:
        return [r.text for r in eligibility(member, case)]

    assert reasons(person(50)) == ["is the referring manager"]
    assert reasons(person(4, employee_id=EMPLOYEE, unit_id=11)) == [
        "is the employee the referral is about"
    ]
    assert reasons(person(4, employee_id=2000)) == ["is in the employee's line-management chain"]
    assert reasons(person(4, managers=frozenset({EMPLOYEE}))) == [
        "is line-managed, directly or not, by the employee"
    ]
    assert reasons(person(4, unit_id=11)) == ["works in the employee's department"]
    declared = CaseFacts(**{**vars(CASE), "declared_conflicts": frozenset({4})})
    assert reasons(person(4), declared) == ["declared a conflict of interest on this case"]


def test_away_members_and_people_outside_the_pool_are_not_eligible() -> None:
    away = person(4, away_until=TODAY)
    assert [r.rule for r in eligibility(away, CASE)] == [PanelRule.AVAILABILITY]
    assert eligibility(away, CASE, sitting=True) == []  # already sitting: stays
    assert [r.rule for r in eligibility(person(4, in_pool=False), CASE)] == [PanelRule.POOL]
    assert [r.rule for r in eligibility(person(4, employee_id=None), CASE)] == [PanelRule.POOL]
    errors = composition_errors(
        [CHAIR, AMBASSADOR, OUTSIDER, person(7, panel_role=False)], 1, CASE, RULES
    )
    assert [str(e) for e in errors] == ["Panel pool: not panel members: user ids [7]."]


def test_the_suggestion_spreads_the_load_and_explains_everyone() -> None:
    busy_chair = person(1, band="8b", open_panels=2)
    idle_chair = person(4, band="8a", last_sat=TODAY - dt.timedelta(days=90))
    idler_chair = person(5, band="8a")  # never sat
    colleague = person(6, unit_id=11, band="9")
    pool = [busy_chair, idle_chair, idler_chair, AMBASSADOR, OUTSIDER, colleague]

    suggestion = suggest_panel(pool, CASE, RULES)

    assert suggestion.member_ids == (5, 2, 3)
    verdicts = {v.user_id: v for v in suggestion.verdicts}
    assert verdicts[5].status == "chair"
    assert "may chair (band 8a)" in verdicts[5].reasons
    assert verdicts[1].status == "eligible"
    assert "2 open panels" in verdicts[1].reasons[-1]
    assert verdicts[6].reasons == ("Conflict of interest: works in the employee's department",)


def test_no_valid_panel_says_which_rule_cannot_be_met() -> None:
    suggestion = suggest_panel([CHAIR, OUTSIDER, person(4)], CASE, RULES)
    assert not suggestion.found
    assert suggestion.problems == (
        "Independent member: the panel needs 1; only 0 trained independent members "
        "with current training may sit on this case.",
    )
    empty = suggest_panel([], CASE, RULES)
    assert empty.problems == ("Panel size: the panel pool is empty.",)


# --- the formal process: not previously involved (panels.rules.independence) -----------


@st.composite
def involvements(draw: Any, exclude: int) -> Involvement:
    """Random earlier parts in a case, none of them held by ``exclude``."""
    people = st.sets(st.integers(1, 40).filter(lambda i: i != exclude), max_size=4)
    return Involvement(by_role={role: frozenset(draw(people)) for role in InvolvedAs})


def _uninvolved(user_id: int, case: CaseFacts) -> Member:
    """Someone with an employee record, outside the employee's department and
    line chain, not the referrer and with no declared conflict."""
    return Member(
        user_id=user_id,
        name="Una Involved",
        employee_id=5000 + user_id,
        unit_id=99,
        icsu_id=9,
        managers=frozenset(),
    )


@given(
    case=cases(),
    user_id=st.integers(100, 200),
    named_as=st.sampled_from(list(FormalRole)),
    data=st.data(),
)
def test_someone_never_involved_and_without_a_conflict_may_be_named(
    case: CaseFacts, user_id: int, named_as: FormalRole, data: Any
) -> None:
    involved = data.draw(involvements(exclude=user_id))
    assert independence(_uninvolved(user_id, case), case, involved, named_as=named_as) == []


@given(
    case=cases(),
    user_id=st.integers(100, 200),
    role=st.sampled_from(list(InvolvedAs)),
    data=st.data(),
)
def test_each_earlier_part_is_refused_naming_it_for_whoever_comes_after(
    case: CaseFacts, user_id: int, role: InvolvedAs, data: Any
) -> None:
    involved = data.draw(involvements(exclude=user_id))
    held = Involvement(by_role={**involved.by_role, role: frozenset({user_id})})
    person = _uninvolved(user_id, case)
    for named_as in FormalRole:
        reasons = independence(person, case, held, named_as=named_as)
        refused = [r for r in reasons if r.rule is PanelRule.INVOLVEMENT]
        if role in EARLIER[named_as]:
            assert [r.text for r in refused] == [INVOLVED_AS_TEXT[role]]
            assert str(refused[0]).startswith("Not previously involved: ")
        else:
            assert refused == []
    # The appeal hearer may have held no part at all (Acas Code para 27).
    assert set(EARLIER[FormalRole.APPEAL_HEARER]) == set(InvolvedAs)


def test_the_panels_conflicts_apply_as_well() -> None:
    case = CaseFacts(
        referrer_id=7,
        employee_id=EMPLOYEE,
        unit_id=11,
        icsu_id=1,
        managers=frozenset({2000}),
        today=TODAY,
    )
    boss = Member(user_id=8, name="Bo", employee_id=2000, unit_id=21, icsu_id=2)
    reasons = independence(boss, case, Involvement())
    assert [r.rule for r in reasons] == [PanelRule.CONFLICT]
    assert "line-management chain" in reasons[0].text
    nobody = Member(user_id=9, name="No", employee_id=None)
    assert [r.rule for r in independence(nobody, case, Involvement(), active=False)] == [
        PanelRule.STAFF,
        PanelRule.STAFF,
    ]
