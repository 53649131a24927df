"""Random sequences of every action, by anyone, on any case: the invariant holds.

A hypothesis state machine submits referrals and fires every service at
random cases, as random members of the cast (including people holding two
roles), with good and bad input and fresh or stale versions. ``advance``
walks a case along a correct path so deep stages are reached too. After
every step it checks, over all cases in the database:

(a) a ``formal`` case has a latest panel decision of formal investigation
    and an approving sign-off of it by someone other than the referrer;
(b) the stage column is what the flow says;
(c) a successful action appended exactly one audit event, a refused one
    none (and changed nothing else);
(d) closed cases have an outcome and closed_at, formal ones a commission date.
(e) an open case has one open step spell (the flow's open task); others none.

Each example runs in a savepoint that is rolled back at its end; the people
are created once per test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from accounts.roles import Role, has_role
from audit.models import AuditEvent
from core.errors import DomainError, NotFound
from panels import state
from panels.models import PANEL_OUTCOMES, PanelDecision
from panels.rules import PanelRules
from panels.selectors import case_facts, members_by_id, pool_members
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_members_replace,
    panel_view_record,
)
from panels.state import current_panel, panel_member_ids
from panels.suggest import suggest_panel
from voice.selectors import has_account
from voice.services import account_record
from workflow.engine import active_nodes, stage_from_flow
from workflow.models import Case, CaseStep, Outcome, SignOff, Stage
from workflow.rules import is_referrer
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_resubmit,
    referral_submit,
    referral_withdraw,
)

from ..factories import referral_kwargs
from .steps import (
    DECLINE_REASON,
    INFORMAL_ACTIONS,
    PANEL_REASON,
    RATIONALE,
    RESUBMIT_NOTE,
    RETURN_REASON,
    UNRESOLVED_REASON,
    VIEW_COMMENT,
    snapshot,
)

# Minutes, not seconds: make test-fast leaves it out; make test and CI run it.
pytestmark = pytest.mark.slow

CAST = [
    "manager",
    "other_manager",
    "hr",
    "panel_a",
    "panel_b",
    "panel_c",
    "director",
    "governance",
    "outsider",
]
EXTRAS = ["panel_d", "manager_dm", "manager_panel", "manager_hr", "hr_panel", "dm_panel"]
# Hypothesis favours the first items of a list and permutations close to it,
# so the people with two roles, who test the rules hardest, come first.
PEOPLE = [
    "manager_dm",
    "dm_panel",
    "manager_panel",
    "hr_panel",
    "manager_hr",
    "panel_d",
    "manager",
    "hr",
    "director",
    "panel_a",
    "panel_b",
    "panel_c",
    "other_manager",
    "governance",
    "outsider",
]
MANAGERS = ["manager_dm", "manager_panel", "manager", "manager_hr", "other_manager"]
HR = ["hr", "hr_panel", "manager_hr"]
SITTERS = ["dm_panel", "hr_panel", "panel_a", "manager_panel", "panel_b", "panel_c", "panel_d"]
SIGNERS = ["director", "manager_dm", "dm_panel"]
OUTCOMES = [o.value for o in PANEL_OUTCOMES]

# The (from, to) stages each action may produce: the issue's table.
OPEN = Stage.open_values()
ACCOUNT = {
    "source": "meeting",
    "text": "My own account of the shift.",
    "meeting_on": dt.date(2025, 1, 6),
}

TRANSITIONS: dict[str, set[tuple[str, str]]] = {
    "submit": {("", "submitted")},
    "triage": {("submitted", s) for s in ("informal", "panel", "closed", "submitted")},
    "resubmit": {("submitted", "submitted")},
    "record_informal_outcome": {("informal", "closed"), ("informal", "panel")},
    "convene_panel": {("panel", "panel")},
    # Members' declarations and views, and HR filling a seat, leave the flow where it is.
    "declare": {("panel", "panel")},
    "record_view": {("panel", "panel")},
    "replace_members": {("panel", "panel")},
    # HR adds the employee's own account before the panel decides (voice/).
    "record_account": {("panel", "panel")},
    "decide": {("panel", "signoff"), ("panel", "closed")},
    "signoff": {("signoff", "formal"), ("signoff", "panel")},
    "withdraw": {(s, "closed") for s in OPEN},
}


# Stand-ins resolved against the case at hand: its referring manager, its
# panel's chair, and a member of its panel who is not the chair.
RELATIVES = ["referrer", "chair", "member"]


def likely(*names: str) -> st.SearchStrategy[str]:
    """Someone who might be allowed, someone related to the case, or anyone at all."""
    return st.one_of(st.sampled_from(names), st.sampled_from(RELATIVES), st.sampled_from(PEOPLE))


versions = st.sampled_from(["none", "none", "current", "stale"])
texts = st.booleans()


class CaseMachine(RuleBasedStateMachine):
    people: ClassVar[dict[str, Any]] = {}
    employee: ClassVar[Any] = None
    stats: ClassVar[Counter[str]] = Counter()

    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.events = AuditEvent.objects.count()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # --- cases already where the rules are subtlest ------------------------------

    @initialize(target=cases)
    def seed(self) -> Any:
        """Every example starts with cases at the stages where people with two
        roles meet the rules: a decision-maker who referred the case or sat on
        its panel at sign-off, an HR adviser on the panel, a manager-HR referrer,
        and a chair who declared a conflict, leaving HR to name a new one."""
        return multiple(
            self.walk("manager_dm", "signoff", ["dm_panel", "hr_panel", "panel_a"]),
            self.walk("manager_panel", "signoff", ["panel_b", "dm_panel", "panel_c"]),
            self.walk("manager", "decide", ["hr_panel", "panel_a", "panel_b"]),
            self.walk("manager_hr", "informal", []),
            self.walk("other_manager", "replace", ["panel_d", "panel_a", "panel_c"]),
        )

    def walk(self, referrer: str, stop: str, members: list[str]) -> int:
        case = self.act("submit", referrer, referral_submit, **referral_kwargs(self.employee))
        if stop == "informal":
            case = self.act("triage", "hr", case_triage, case_id=case.pk, route="informal")
        else:
            case = self.act(
                "triage", "hr", case_triage, case_id=case.pk, route="panel", reason=PANEL_REASON
            )
            ids = [self.people[m].pk for m in members]
            case = self.act(
                "convene_panel", "hr", panel_convene, case_id=case.pk, members=ids, chair=ids[0]
            )
            case = self.act("record_account", "hr", account_record, **ACCOUNT, case_id=case.pk)
            if stop == "replace":  # the chair has a conflict and stands down
                case = self.act(
                    "declare",
                    members[0],
                    panel_declare,
                    case_id=case.pk,
                    no_conflict=False,
                    reason="The employee is my neighbour.",
                )
                members = members[1:]
            for member in members:  # each declares no conflict and gives a view
                self.act("declare", member, panel_declare, case_id=case.pk, no_conflict=True)
                case = self.act(
                    "record_view",
                    member,
                    panel_view_record,
                    case_id=case.pk,
                    outcome="mediation",
                    comment=VIEW_COMMENT,
                )
        if stop == "signoff":
            case = self.act(
                "decide",
                "chair",
                panel_decision_record,
                case_id=case.pk,
                outcome="formal_investigation",
                rationale=RATIONALE,
            )
        stages = {"informal": Stage.INFORMAL, "signoff": Stage.SIGNOFF}
        assert case.stage == stages.get(stop, Stage.PANEL)
        return int(case.pk)

    # --- doing and checking one action ----------------------------------------

    def act(self, action: str, who: str, service: Callable[..., Any], **kwargs: Any) -> Any:
        """Run a service; check (c) and the stage change, and the postconditions."""
        who = self.resolve(who, kwargs.get("case_id"))
        actor = self.people[who]
        before = snapshot()
        try:
            result = service(actor=actor, **kwargs)
        except DomainError as exc:
            refused: DomainError | None = exc
        else:
            refused = None
        if refused is not None:
            assert snapshot() == before, f"refused {action} by {who} changed something"
            if who in ("governance", "outsider") and action != "submit":
                assert isinstance(refused, NotFound)
            self.stats[f"refused {type(refused).__name__}"] += 1
            return None
        self.events += 1
        assert AuditEvent.objects.count() == before.events + 1
        event = AuditEvent.objects.latest("at", "id")
        case = Case.objects.get(pk=result.pk)
        assert (event.case_id, event.action, event.actor_id) == (case.pk, action, actor.pk)
        assert (event.from_stage, event.to_stage) in TRANSITIONS[action]
        assert event.to_stage == case.stage
        self.stats[f"{action} -> {case.stage}"] += 1
        self.check_who_acted(action, actor, case)
        return case

    def check_who_acted(self, action: str, actor: Any, case: Case) -> None:
        """Whoever succeeded was someone the issue allows."""
        if action == "submit":
            assert has_role(actor, Role.MANAGER)
        elif action in ("triage", "convene_panel", "replace_members", "record_account"):
            assert has_role(actor, Role.HR)
            assert not is_referrer(actor, case)
        elif action == "resubmit":
            assert is_referrer(actor, case)
        elif action in ("record_informal_outcome", "withdraw"):
            assert is_referrer(actor, case) or has_role(actor, Role.HR)
        elif action == "decide":
            self.check_chair_decided(actor, case)
        elif action in ("declare", "record_view"):
            seat = state.seat_of(current_panel(case), actor.pk)  # type: ignore[arg-type]
            assert seat is not None
            assert has_role(actor, Role.PANEL)
            assert action == "declare" or state.cleared(seat)
        elif action == "signoff":
            assert has_role(actor, Role.DECISION_MAKER)
            assert not is_referrer(actor, case)
            assert actor.pk not in panel_member_ids(case)
        if action in ("convene_panel", "replace_members"):
            self.check_panel_composition(case)

    def check_chair_decided(self, actor: Any, case: Case) -> None:
        """Only a complete panel whose chair declared and whose views are in decides."""
        panel = current_panel(case)
        assert panel is not None
        assert panel.chair_id == actor.pk
        assert state.chair_sits(panel)
        assert not state.vacancies(panel)
        assert state.cleared(state.seat_of(panel, actor.pk))
        assert state.views_recorded(panel) >= state.views_needed(panel)

    def check_panel_composition(self, case: Case) -> None:
        """The panel as convened or refilled meets the rules."""
        members = panel_member_ids(case)
        assert case.referring_manager_id not in members
        panel = current_panel(case)
        assert panel is not None
        assert panel.chair_id in members
        sitting = [m.user_id for m in state.sitting(panel)]
        assert len(sitting) >= PanelRules.current().min_members
        facts = case_facts(case)
        for member in members_by_id(sitting, managers={}):
            assert member.employee_id not in (None, facts.employee_id)
            assert member.unit_id != facts.unit_id
            assert member.user_id not in facts.declared_conflicts

    def version(self, case_id: int, which: str) -> int | None:
        current = Case.objects.values_list("version", flat=True).get(pk=case_id)
        return {"none": None, "current": current, "stale": current - 1}[which]

    # --- rules: anyone tries anything ---------------------------------------------

    @rule(
        target=cases,
        who=st.one_of(st.sampled_from(MANAGERS), st.sampled_from(PEOPLE)),
        valid=st.booleans(),
    )
    def submit(self, who: str, valid: bool) -> Any:
        kwargs = referral_kwargs(self.employee, **({} if valid else {"summary": "Too short."}))
        case = self.act("submit", who, referral_submit, **kwargs)
        return case.pk if case else multiple()

    @rule(
        case_id=cases,
        who=likely(*HR),
        v=versions,
        reason=texts,
        route=st.sampled_from(["informal", "panel", "redirect", "return", "formal"]),
        policy=st.sampled_from(["", "grievance", "safeguarding", "payroll"]),
    )
    def triage(self, case_id: int, who: str, v: str, route: str, reason: bool, policy: str) -> None:
        self.act(
            "triage",
            who,
            case_triage,
            case_id=case_id,
            route=route,
            policy=policy,
            reason=PANEL_REASON if reason else "",
            expected_version=self.version(case_id, v),
        )

    @rule(case_id=cases, who=likely(*MANAGERS), v=versions, note=texts)
    def resubmit(self, case_id: int, who: str, v: str, note: bool) -> None:
        self.act(
            "resubmit",
            who,
            referral_resubmit,
            case_id=case_id,
            note=RESUBMIT_NOTE if note else "",
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely(*MANAGERS, *HR),
        v=versions,
        reason=texts,
        resolved=st.sampled_from([True, False, None]),
    )
    def record_informal(
        self, case_id: int, who: str, v: str, resolved: bool | None, reason: bool
    ) -> None:
        self.act(
            "record_informal_outcome",
            who,
            case_record_informal_outcome,
            case_id=case_id,
            resolved=resolved,
            actions=INFORMAL_ACTIONS,
            reason=UNRESOLVED_REASON if reason else "",
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely(*HR),
        v=versions,
        members=st.one_of(
            st.permutations(SITTERS).map(lambda p: p[:3]),
            st.lists(st.sampled_from([*PEOPLE, "referrer"]), max_size=6),
        ),
        chair=st.integers(-1, 5),
    )
    def convene(self, case_id: int, who: str, v: str, members: list[str], chair: int) -> None:
        ids = [self.people[self.resolve(m, case_id)].pk for m in members]
        chair_id = ids[chair] if 0 <= chair < len(ids) else (None if chair < 0 else 0)
        self.act(
            "convene_panel",
            who,
            panel_convene,
            case_id=case_id,
            members=ids,
            chair=chair_id,
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely("chair"),
        v=versions,
        outcome=st.sampled_from([*OUTCOMES, "withdrawn"]),
        rationale=texts,
    )
    def decide(self, case_id: int, who: str, v: str, outcome: str, rationale: bool) -> None:
        self.act(
            "decide",
            who,
            panel_decision_record,
            case_id=case_id,
            outcome=outcome,
            rationale=RATIONALE if rationale else "Short.",
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely("member", "chair"),
        v=versions,
        no_conflict=st.sampled_from([True, True, False, None]),
        reason=texts,
    )
    def declare(
        self, case_id: int, who: str, v: str, no_conflict: bool | None, reason: bool
    ) -> None:
        self.act(
            "declare",
            who,
            panel_declare,
            case_id=case_id,
            no_conflict=no_conflict,
            reason="I line-manage their partner." if reason else "",
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely("member", "chair"),
        v=versions,
        outcome=st.sampled_from([*OUTCOMES, "withdrawn"]),
        comment=texts,
    )
    def record_view(self, case_id: int, who: str, v: str, outcome: str, comment: bool) -> None:
        self.act(
            "record_view",
            who,
            panel_view_record,
            case_id=case_id,
            outcome=outcome,
            comment=VIEW_COMMENT if comment else " ",
            expected_version=self.version(case_id, v),
        )

    @rule(
        case_id=cases,
        who=likely(*SIGNERS),
        v=versions,
        reason=texts,
        approve=st.sampled_from([True, False, None]),
    )
    def signoff(self, case_id: int, who: str, v: str, approve: bool | None, reason: bool) -> None:
        self.act(
            "signoff",
            who,
            case_signoff,
            case_id=case_id,
            approve=approve,
            reason=DECLINE_REASON if reason else "",
            expected_version=self.version(case_id, v),
        )

    @rule(case_id=cases, who=likely(*MANAGERS, *HR), v=versions, reason=texts)
    def withdraw(self, case_id: int, who: str, v: str, reason: bool) -> None:
        self.act(
            "withdraw",
            who,
            referral_withdraw,
            case_id=case_id,
            reason="Raised in error." if reason else " ",
            expected_version=self.version(case_id, v),
        )

    def resolve(self, who: str, case_id: int | None) -> str:
        if who not in RELATIVES:
            return who
        if case_id is None:  # submitting: nobody is related yet
            return "manager"
        case = Case.objects.get(pk=case_id)
        panel = current_panel(case)
        name = {u.pk: n for n, u in self.people.items()}
        if who == "referrer":
            return name[case.referring_manager_id]
        if panel is None:
            return "outsider"
        if who == "chair":
            return name[panel.chair_id]
        others = sorted(name[m] for m in panel_member_ids(case) if m != panel.chair_id)
        return others[0] if others else "outsider"

    # --- rules that move a case along the table, so deep stages are reached -------

    # Hypothesis favours the first of a list; here the first choice goes deepest.
    @rule(case_id=cases, steps=st.sampled_from([8, 1, 2, 3, 5]), data=st.data())
    def advance(self, case_id: int, steps: int, data: st.DataObject) -> None:
        """The right person takes the next step, with good input: it must succeed."""
        for _ in range(steps):
            step = self.next_step(case_id, data)
            if step is None:
                return
            action, who, service, kwargs = step
            result = self.act(action, who, service, case_id=case_id, **kwargs)
            assert result is not None, f"{who} was refused {action}"

    @rule(case_id=cases, data=st.data())
    def everyone_tries(self, case_id: int, data: st.DataObject) -> None:
        """Everybody in turn tries the next step with good input, until one may."""
        step = self.next_step(case_id, data)
        if step is None:
            return
        action, _, service, kwargs = step
        for who in data.draw(st.permutations(PEOPLE)):
            if self.act(action, who, service, case_id=case_id, **kwargs) is not None:
                return

    def next_step(self, case_id: int, data: st.DataObject) -> tuple[Any, ...] | None:
        """(action, right person, service, good input) for the case's open task."""
        case = Case.objects.get(pk=case_id)
        nodes = active_nodes(case)
        if not nodes:
            return None
        [node] = nodes
        draw = data.draw
        referrer = self.resolve("referrer", case_id)
        if node == "triage":
            route = draw(st.sampled_from(["panel", "informal", "return", "redirect"]))
            policy = draw(st.sampled_from(["capability", "grievance"]))
            return (
                "triage",
                draw(st.sampled_from(["hr", "hr_panel"])),
                case_triage,
                {"route": route, "reason": RETURN_REASON, "policy": policy},
            )
        if node == "resubmit":
            return ("resubmit", referrer, referral_resubmit, {"note": RESUBMIT_NOTE})
        if node == "informal":
            resolved = draw(st.sampled_from([False, True]))
            return (
                "record_informal_outcome",
                draw(st.sampled_from([referrer, "hr"])),
                case_record_informal_outcome,
                {"resolved": resolved, "actions": INFORMAL_ACTIONS, "reason": UNRESOLVED_REASON},
            )
        if node == "convene":
            members = draw(st.permutations([s for s in SITTERS if s != referrer]))[:3]
            ids = [self.people[m].pk for m in members]
            return ("convene_panel", "hr", panel_convene, {"members": ids, "chair": ids[0]})
        if node == "decide":
            return self.panel_step(case, data)
        assert node == "signoff"
        sat = panel_member_ids(case)
        signers = [s for s in SIGNERS if s != referrer and self.people[s].pk not in sat]
        return (
            "signoff",
            draw(st.sampled_from(signers)),
            case_signoff,
            {"approve": draw(st.sampled_from([True, False])), "reason": DECLINE_REASON},
        )

    def panel_step(self, case: Case, data: st.DataObject) -> tuple[Any, ...] | None:
        """The panel's next step: fill an empty seat, a declaration (sometimes of a
        conflict), a view, then the chair's decision."""
        panel = current_panel(case)
        assert panel is not None
        name = {u.pk: n for n, u in self.people.items()}
        if state.waiting_for(panel) == state.Waiting.REPLACEMENT:
            return self.replacement(case, panel)
        for seat in state.sitting(panel):
            if state.declaration(seat) is None:
                no_conflict = data.draw(st.sampled_from([True, True, True, False]))
                kwargs = {"no_conflict": no_conflict, "reason": "My sister works with them."}
                return ("declare", name[seat.user_id], panel_declare, kwargs)
        for seat in state.sitting(panel):
            if state.latest_view(seat) is None:
                kwargs = {"outcome": data.draw(st.sampled_from(OUTCOMES)), "comment": VIEW_COMMENT}
                return ("record_view", name[seat.user_id], panel_view_record, kwargs)
        if not has_account(case.pk):  # the decision waits for the employee's own account
            return ("record_account", "hr", account_record, ACCOUNT)
        outcome = data.draw(st.sampled_from(OUTCOMES))  # formal investigation first
        return (
            "decide",
            "chair",
            panel_decision_record,
            {"outcome": outcome, "rationale": RATIONALE},
        )

    def replacement(self, case: Case, panel: Any) -> tuple[Any, ...] | None:
        """HR fills the empty seats with whom the (pure) suggestion proposes."""
        sitting = [m.user_id for m in state.sitting(panel)]
        suggestion = suggest_panel(
            pool_members(),
            case_facts(case),
            PanelRules.current(),
            keep=members_by_id(sitting, managers={}),
            chair_id=panel.chair_id if state.chair_sits(panel) else None,
            size=len(sitting) + len(state.vacancies(panel)),
        )
        if not suggestion.found:
            self.stats["no replacement possible"] += 1
            return None
        new = [i for i in suggestion.member_ids if i not in sitting]
        chair = None if state.chair_sits(panel) else suggestion.chair_id
        return ("replace_members", "hr", panel_members_replace, {"members": new, "chair": chair})

    # --- invariants over every case -------------------------------------------------

    @invariant()
    def every_case_is_consistent(self) -> None:
        assert AuditEvent.objects.count() == self.events  # (c), across the whole example
        for case in Case.objects.select_related("process"):
            assert case.stage == stage_from_flow(case)  # (b)
            assert case.version == case.events.count()
            self.check_steps(case)  # (e)
            if case.stage == Stage.FORMAL:
                self.check_formal(case)  # (a), (d)
            elif case.stage == Stage.CLOSED:
                assert case.outcome
                assert case.closed_at is not None  # (d)
                assert case.formal_commissioned_at is None
            else:
                assert case.closed_at is None
                assert case.formal_commissioned_at is None

    def check_steps(self, case: Case) -> None:
        """(e) An open case has exactly one open step, the one its flow waits on;
        a finished case has none; spells never overlap."""
        spells = list(CaseStep.objects.filter(case=case).order_by("entered_at", "id"))
        open_steps = [s.step for s in spells if s.left_at is None]
        if case.stage == Stage.FORMAL:  # its formal process opens with the investigation
            assert open_steps == ["investigate"]
        else:
            assert open_steps == (active_nodes(case) if case.is_open else [])
        for earlier, later in itertools.pairwise(spells):
            assert earlier.left_at is not None
            assert earlier.left_at <= later.entered_at

    def check_formal(self, case: Case) -> None:
        assert case.outcome == Outcome.FORMAL_INVESTIGATION
        assert case.formal_commissioned_at is not None
        assert case.closed_at is None
        latest = PanelDecision.objects.filter(case=case).latest("decided_at", "id")
        assert latest.outcome == Outcome.FORMAL_INVESTIGATION
        approvals = SignOff.objects.filter(case=case, decision=latest, approved=True)
        assert approvals.exclude(signed_by_id=case.referring_manager_id).exists()
        self.stats["formal cases checked"] += 1


@pytest.mark.django_db
def test_random_action_sequences_keep_the_invariant(cast: Any, extras: Any, employee: Any) -> None:
    people = {n: getattr(cast, n) for n in CAST} | {n: getattr(extras, n) for n in EXTRAS}
    stats: Counter[str] = Counter()

    class Machine(CaseMachine):
        pass

    Machine.people, Machine.employee, Machine.stats = people, employee, stats
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    # The run must have reached the interesting places, not only refusals.
    assert stats["signoff -> formal"] > 0
    assert stats["formal cases checked"] > 0
    assert stats["decide -> closed"] > 0
    assert stats["withdraw -> closed"] > 0
    assert stats["declare -> panel"] > 0
    assert stats["record_view -> panel"] > 0
    assert stats["replace_members -> panel"] > 0
    assert stats["refused NotAllowed"] > 0
    assert stats["refused Conflict"] > 0
