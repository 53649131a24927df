"""Convening a Fair Treatment Panel, what its members record, and its decision.

Every function here is a service (``<entity>_<action>``): it runs in one
transaction through ``workflow.engine``, which locks the case,
checks the actor's role, relation and the case's step from
``workflow.rules``, and appends one audit event. Convening and deciding move
the flow; suggesting, replacing a member, declaring and recording a view
leave it where it is (``case_activity``). The panel rules are
``panels.rules``; ``panels.checks`` applies them to a request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from accounts.types import Actor
from core.errors import Conflict, ValidationFailed
from tenancy.policy import trust_policy
from voice.selectors import has_account
from workflow.engine import case_action, case_activity, task_reassign
from workflow.models import Case, JustCultureAssessment, Outcome
from workflow.rules import Action
from workflow.services.referrals import check_just_culture_answers
from workflow.services.validation import Errors

from . import state
from .checks import check_panel, check_replacements, user_ids
from .guide import guide_advice, guide_alignment
from .models import (
    PANEL_OUTCOME_CHOICES,
    DecisionGuideAnswers,
    Declaration,
    Panel,
    PanelDecision,
    PanelMembership,
    PanelView,
)
from .rules import PanelRules
from .selectors import case_facts, line_managers, members_by_id, pool_members
from .state import current_panel
from .suggest import Suggestion, suggest_panel

MIN_RATIONALE = 20
MAX_TEXT = 10_000


# --- convening ---------------------------------------------------------------------


def panel_suggest(*, case_id: int, actor: Actor) -> Suggestion:
    """HR asks which pool members should sit: a panel that meets every rule,
    with the load spread, and a reason for every pool member. Changes nothing.

    Before convening it proposes a whole panel; once a member has stood down,
    it keeps the sitting members (and chair) and proposes who fills the seats.
    Audited, because it reads the whole pool's availability and conflicts.
    """
    with case_activity(
        case_id=case_id, actor=actor, action=Action.SUGGEST_PANEL, read_only=True
    ) as act:
        managers = line_managers()
        facts = case_facts(act.case, managers=managers)
        panel = current_panel(act.case)
        pool = pool_members(managers=managers)
        if panel is None:
            suggestion = suggest_panel(pool, facts, PanelRules.current())
        else:
            sitting = [m.user_id for m in state.sitting(panel)]
            suggestion = suggest_panel(
                pool,
                facts,
                PanelRules.current(),
                keep=members_by_id(sitting, managers=managers),
                chair_id=panel.chair_id if state.chair_sits(panel) else None,
                size=len(sitting) + len(state.vacancies(panel)),
            )
        act.payload = {
            "found": suggestion.found,
            # Whether it proposed a whole panel or who fills the empty seats.
            "replacement": panel is not None,
            "members": list(suggestion.member_ids),
            "chair": suggestion.chair_id,
            "pool_size": len(pool),
        }
        act.reason = "; ".join(suggestion.problems)
    return suggestion


def panel_convene(
    *,
    case_id: int,
    actor: Actor,
    members: Sequence[int],
    chair: int | None,
    expected_version: int | None = None,
) -> Case:
    """HR names the panel members and its chair (one of them).

    Every rule in ``panels.rules`` applies: each member is in the pool, holds
    the panel role, is available and has no conflict with the case; the
    panel's size, chair's band and composition meet the trust's policy.
    A refusal lists every rule broken, each by name.
    """
    with case_action(
        case_id=case_id, actor=actor, action=Action.CONVENE_PANEL, expected_version=expected_version
    ) as act:
        case = act.case
        member_ids = user_ids(members)
        check_panel(case, member_ids, chair)
        if chair is None:  # unreachable: the rules require a chair; narrows the type
            raise ValidationFailed({"chair": ["Choose the chair from the panel's members."]})
        panel = Panel.objects.create(
            case=case, chair_id=chair, convened_by=actor, convened_at=timezone.now()
        )
        PanelMembership.objects.bulk_create(
            PanelMembership(panel=panel, user_id=m) for m in member_ids
        )
        act.payload = {"panel_id": panel.pk, "members": member_ids, "chair": chair}
    return act.case


def panel_members_replace(
    *,
    case_id: int,
    actor: Actor,
    members: Sequence[int],
    chair: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """HR fills the seats of members who stood down after declaring a conflict.

    One replacement per empty seat. If the chair stood down, HR names the new
    chair (a sitting member or a replacement), and the chair's decision task
    follows them. The rules apply to the panel as it will be; members already
    sitting keep their seat even if they have become unavailable since.
    """
    with case_activity(
        case_id=case_id,
        actor=actor,
        action=Action.REPLACE_MEMBERS,
        expected_version=expected_version,
    ) as act:
        case = act.case
        panel = current_panel(case)
        if panel is None:  # unreachable: the rule's readiness check requires a panel
            raise ValidationFailed({"members": ["No panel has been convened yet."]})
        empty = state.vacancies(panel)
        new_ids = user_ids(members)
        chair = (
            chair if chair is not None else (panel.chair_id if state.chair_sits(panel) else None)
        )
        check_replacements(case, panel, new_ids, empty, chair)
        if chair is None:  # unreachable: checked above; narrows the type
            raise ValidationFailed({"chair": ["Name the panel's new chair."]})
        PanelMembership.objects.bulk_create(
            PanelMembership(panel=panel, user_id=user_id, replaces=seat)
            for user_id, seat in zip(new_ids, empty, strict=True)
        )
        if chair != panel.chair_id:
            panel.chair_id = chair
            panel.save(update_fields=["chair"])
            task_reassign(case, "decide", panel.chair)
        act.payload = {
            "panel_id": panel.pk,
            "members": new_ids,
            "replacing": [seat.user_id for seat in empty],
            "chair": chair,
        }
    return act.case


# --- what each member records ----------------------------------------------------


def panel_declare(
    *,
    case_id: int,
    actor: Actor,
    no_conflict: bool | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """A sitting member declares, once, before they may see the case's details.

    No conflict: they may read the case and record a view. A conflict, with
    its nature: they are stood down from the panel at once (their seat stays
    on record) and HR is asked to replace them (``panel_members_replace``).
    """
    with case_activity(
        case_id=case_id, actor=actor, action=Action.DECLARE, expected_version=expected_version
    ) as act:
        errors = Errors()
        if not isinstance(no_conflict, bool):
            errors.add("no_conflict", "Say whether you have a conflict of interest with this case.")
        if no_conflict is False:
            reason = errors.require_text("reason", reason, "the nature of your conflict")
        errors.raise_if_any()
        seat = _seat(act.case, actor)
        now = timezone.now()
        Declaration.objects.create(
            membership=seat,
            no_conflict=bool(no_conflict),
            reason="" if no_conflict else reason,
            declared_at=now,
        )
        if not no_conflict:
            seat.stood_down_at = now
            seat.save(update_fields=["stood_down_at"])
        act.reason = "" if no_conflict else reason
        act.payload = {"panel_id": seat.panel_id, "no_conflict": bool(no_conflict)}
    return act.case


def panel_view_record(
    *,
    case_id: int,
    actor: Actor,
    outcome: str,
    comment: str,
    expected_version: int | None = None,
) -> Case:
    """A member who declared no conflict records their view: an outcome from the
    panel's outcome set and a comment. Once per round; after a declined
    sign-off the panel reconsiders and each member may record a fresh view.
    Views are never changed, so a dissent stays on record.
    """
    with case_activity(
        case_id=case_id, actor=actor, action=Action.RECORD_VIEW, expected_version=expected_version
    ) as act:
        errors = Errors()
        outcome = errors.require_choice(
            "outcome", outcome, PANEL_OUTCOME_CHOICES, "your view of the outcome"
        )
        comment = errors.require_text("comment", comment, "a comment on your view")
        errors.raise_if_any()
        seat = _seat(act.case, actor)
        view = PanelView.objects.create(
            membership=seat,
            round=state.decision_round(seat.panel),
            outcome=outcome,
            comment=comment,
            recorded_at=timezone.now(),
        )
        act.payload = {"panel_id": seat.panel_id, "outcome": outcome, "round": view.round}
    return act.case


# --- the decision ------------------------------------------------------------------


def panel_decision_record(
    *,
    case_id: int,
    actor: Actor,
    outcome: str,
    rationale: str,
    agreed_actions: str = "",
    just_culture: dict[str, Any] | None = None,
    without_account_reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """The chair records the panel's decision with its written rationale.

    Only once the chair has declared no conflict, no seat is empty, and the
    quorum of members' views is in (the trust's panel_quorum; by default all). The
    panel may record its own review of the just culture guide's answers
    (``just_culture``, as in a referral); the decision keeps the guide's
    letter and whether the outcome follows its advice. Formal investigation
    goes to sign-off; every other outcome closes the case. Without the
    employee's own account on the case, the trust's policy decides whether
    the panel may decide at all, and then the chair says why
    (``without_account_reason``; ``_without_account``).
    """
    with case_action(
        case_id=case_id, actor=actor, action=Action.DECIDE, expected_version=expected_version
    ) as act:
        case = act.case
        errors = Errors()
        outcome = errors.require_choice(
            "outcome", outcome, PANEL_OUTCOME_CHOICES, "the panel's decision"
        )
        rationale = errors.require_text(
            "rationale", rationale, "the panel's rationale", min_length=MIN_RATIONALE
        )
        agreed = (agreed_actions or "").strip()
        if len(agreed) > MAX_TEXT:
            errors.add("agreed_actions", f"Keep the agreed actions under {MAX_TEXT} characters.")
        answers = check_just_culture_answers(errors, just_culture) if just_culture else None
        without_account = _without_account(errors, case, without_account_reason)
        errors.raise_if_any()
        panel = current_panel(case)
        if panel is None:  # unreachable: only the chair of the current panel gets here
            raise Conflict("No panel has been convened on this case.")
        referral = _referral_answers(case)
        letter = guide_advice(case, answers).letter
        decision = PanelDecision.objects.create(
            case=case,
            panel=panel,
            outcome=outcome,
            rationale=rationale,
            agreed_actions=agreed,
            just_culture_outcome=letter,
            guide_alignment=guide_alignment(outcome, letter),
            decided_by=actor,
            decided_at=timezone.now(),
            without_account_reason=without_account,
        )
        if answers is not None:
            DecisionGuideAnswers.objects.create(decision=decision, outcome=letter, **vars(answers))
        case.outcome = Outcome(outcome)
        act.reason = rationale
        act.payload = {
            "outcome": outcome,
            "decision_id": decision.pk,
            "just_culture_outcome": letter,
            "guide_alignment": decision.guide_alignment,
            "guide_reviewed": answers is not None,
            "guide_amended": answers is not None
            and (referral is None or answers != referral.answers()),
            "views": _tally(panel, outcome),
            # Decided before the employee's account was on the case (the
            # reason is on the decision, read with it; not in the log).
            "without_account": without_account is not None,
        }
    return act.case


NO_ACCOUNT_REFUSAL = (
    "The employee's own account is not on the case yet, and this trust's policy is that "
    "the panel does not decide without it. Ask HR to add it (or send the employee their link)."
)


def _without_account(errors: Errors, case: Case, reason: str) -> str | None:
    """Why the panel decides before the employee's account is on the case
    (docs/employee-account.md): None when it is there. Without one, the
    trust's ``decision_without_account`` says whether it may go ahead at all
    (a 409 naming the rule if not) and, if so, the chair must say why."""
    if has_account(case.pk):
        return None
    if not trust_policy().decision_without_account:
        raise Conflict(NO_ACCOUNT_REFUSAL)
    return errors.require_text(
        "without_account_reason",
        reason,
        "the reason the panel decides without the employee's account",
        max_length=MAX_TEXT,
    )


def _referral_answers(case: Case) -> JustCultureAssessment | None:
    """The referring manager's answers to the guide, read with the locked case."""
    try:
        return case.just_culture
    except ObjectDoesNotExist:
        return None


def _tally(panel: Panel, outcome: str) -> dict[str, int]:
    """How the members' standing views compare with the decision."""
    views = [state.latest_view(m) for m in state.sitting(panel)]
    counts = Counter(v.outcome == outcome for v in views if v is not None)
    return {"agree": counts[True], "dissent": counts[False]}


def _seat(case: Case, actor: Actor) -> PanelMembership:
    panel = current_panel(case)
    seat = state.seat_of(panel, actor.pk) if panel is not None else None
    if seat is None:  # unreachable: the rules check the seat under the same lock
        raise Conflict("You do not sit on this case's panel.")
    return seat
