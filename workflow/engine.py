"""The one way a service changes a case: lock, check, write, move the flow, audit.

Calling a viewflow transition does not check permissions (docs/viewflow-notes.md), so
every check happens here first, from ``workflow.rules``. The flow is then
moved with the activation API, the stage column is re-read from the flow,
and an audit event is appended: all in the caller's single transaction.

Two context managers, because two kinds of action exist:

* ``case_action`` completes the flow task the action belongs to (triage,
  convene, decide, sign-off ...) or, for a withdrawal, cancels the flow.
* ``case_activity`` records something while a task stays open: a panel
  member's declaration or view, HR replacing a member, HR asking for a
  suggested panel. The flow must not move (the chair's ``decide`` task
  waits for all of it), so no task is completed and the stage is unchanged;
  the lock, the checks and the one audit event are the same. Kept separate
  rather than a flag so that a rule saying "applies during decide" can never
  complete the decide task by mistake: each manager refuses the other's rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts.delegation import delegated_to
from accounts.types import Actor
from audit.chain import normalise_payload
from audit.models import AuditEvent
from audit.services import audit_record
from core import events
from core.errors import Conflict, NotAllowed, NotFound

from .events import CaseActed
from .flows import STAGE_OF_NODE, ReferralFlow
from .models import Case, Stage
from .participants import participants
from .rules import (
    NOT_DELEGABLE,
    NOT_DELEGABLE_REFUSAL,
    RULES,
    Action,
    Rule,
    acting_for,
    applies,
    can_view,
    not_ready,
)
from .steps import case_step_advance

_ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

BUSY = "Someone else is acting on this case right now. Reload it and try again."


def lock_case(case_id: int, *, during: Sequence[str] = ()) -> Case:
    """Lock the case's process and case rows for this transaction, failing fast,
    and read what the action rules need: one statement for both locks, then
    the panel graph (``participants().lock_prefetches()``), read once.

    NOWAIT turns a concurrent action into a conflict at once instead of a
    queue. Both rows are locked by the one statement (``FOR UPDATE OF`` the
    case and its process), so no request ever holds one while waiting for the
    other, and nothing can deadlock: nobody waits at all. viewflow's own flow
    lock is never taken on top (``_complete`` drives the activation
    directly), so this is the action's only lock.

    ``during``: the steps an activity applies to; whether one of them is
    open comes with the case (``ftp_step_open``), so no task is read.

    Call inside a transaction. A refusal leaves the transaction to be rolled
    back by the caller's ``atomic`` block, which ``Conflict`` and ``NotFound``
    leave at once.
    """
    cases = _with_step_open(
        Case.objects.select_for_update(nowait=True, of=("self", "process"))
        .select_related("referring_manager", "process", "just_culture")
        .prefetch_related(*participants().lock_prefetches()),
        during,
    )
    try:
        return cases.get(pk=case_id)
    except Case.DoesNotExist as exc:
        raise NotFound("No such case.") from exc
    except OperationalError as exc:
        raise Conflict(BUSY) from exc


# The rules read the current panel (its seats, declarations, views and
# decisions) several times per action; one prefetch under the lock serves them
# all (``participants().lock_prefetches()``). The body may write panel rows, so
# the cache is dropped after it (``_forget_panels``) and nobody is handed a
# stale panel.
def _forget_panels(case: Case) -> None:
    cache = getattr(case, "_prefetched_objects_cache", {})
    for prefetch in participants().lock_prefetches():
        cache.pop(prefetch.prefetch_to, None)


def _with_step_open(cases: QuerySet[Case], during: Sequence[str]) -> QuerySet[Case]:
    """``cases`` with ``ftp_step_open``: whether one of the ``during`` steps is open."""
    if not during:
        return cases
    nodes = [ReferralFlow.instance.node(name) for name in during]
    waiting = Task.objects.filter(
        process_id=OuterRef("process_id"),
        flow_task_type="HUMAN",
        status__in=_ACTIVE,
        flow_task__in=nodes,
    )
    return cases.annotate(ftp_step_open=Exists(waiting))


def open_tasks(case: Case) -> list[Task]:
    """The flow's human tasks open on the case, newest first (whole rows: the
    engine completes one of them without reading it again)."""
    return list(
        Task.objects.filter(
            process_id=case.process_id, flow_task_type="HUMAN", status__in=_ACTIVE
        ).order_by("-created", "-id")
    )


def active_nodes(case: Case) -> list[str]:
    """Names of the flow's human tasks open on the case."""
    tasks = Task.objects.filter(
        process_id=case.process_id, flow_task_type="HUMAN", status__in=_ACTIVE
    ).only("flow_task")
    return [t.flow_task.name for t in tasks]


def flow_state(process_id: int) -> tuple[Stage | None, list[str]]:
    """The stage the flow says a case is in and the human tasks open on it, in
    one read: its newest open task or the End it reached gives the stage.
    The stage is None when the flow has neither (it was cancelled)."""
    tasks = (
        Task.objects.filter(process_id=process_id)
        .exclude(status=STATUS.CANCELED)
        .filter(flow_task_type__in=["HUMAN", "END"])
        .order_by("-created", "-id")
        .only("flow_task", "status", "flow_task_type")
    )
    stage: Stage | None = None
    nodes: list[str] = []
    for task in tasks:
        is_open = task.flow_task_type == "HUMAN" and task.status in _ACTIVE
        if is_open:
            nodes.append(task.flow_task.name)
        if stage is None and (task.flow_task_type == "END" or is_open):
            stage = STAGE_OF_NODE[task.flow_task.name]
    return stage, nodes


def stage_from_flow(case: Case) -> Stage:
    """The stage the flow says the case is in: its open task, or the End it reached."""
    return _stage_or_closed(case, flow_state(case.process_id)[0])


def _stage_or_closed(case: Case, stage: Stage | None) -> Stage:
    if stage is not None:
        return stage
    # No open step and no End reached: the flow was cancelled (withdrawn).
    if Process.objects.filter(pk=case.process_id, status=PROCESS.CANCELED).exists():
        return Stage.CLOSED
    raise Conflict(f"Case {case.reference} has no open step in its flow.")


@dataclass
class CaseAction:
    """What a service is doing to a locked case; filled in before ``done``."""

    case: Case
    actor: Actor
    action: Action
    from_stage: str
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # The flow's open human tasks, read once under the lock: the checks ask
    # which steps are open, and ``_complete`` completes one of these rows.
    tasks: list[Task] = field(default_factory=list, repr=False)
    # The person the actor covers and acts for (an out-of-office delegation:
    # ``rules.acting_for``); None when they act for themselves.
    on_behalf_of: Actor | None = None


@contextmanager
def case_action(
    *, case_id: int, actor: Actor, action: Action, expected_version: int | None = None
) -> Iterator[CaseAction]:
    """Run one action on one case, atomically.

    Checks, in the order the API reports them: the actor may see the case
    (404), holds a role that may take the action (403), the case is at a
    step where it applies (409) and was not changed since ``expected_version``
    (409). The body validates and writes; on leaving, the flow moves on, the
    stage is re-read, and the audit event is appended.

    The case is locked and read once, with its open tasks and panel graph;
    nothing the checks read is fetched again.
    """
    rule = RULES[action]
    if rule.during:
        raise TypeError(f"{action} leaves the flow where it is: use case_activity.")
    with transaction.atomic():
        case = lock_case(case_id)
        tasks = open_tasks(case)
        nodes = [t.flow_task.name for t in tasks]
        person = _check(case, actor, action, rule, expected_version, nodes)
        ctx = CaseAction(
            case=case,
            actor=actor,
            action=action,
            from_stage=case.stage,
            tasks=tasks,
            on_behalf_of=person,
        )
        yield ctx
        _forget_panels(case)
        if rule.node is not None:
            _complete(ctx, rule.node)
        else:
            ReferralFlow.instance.cancel(case.process)
        _finish(ctx, flow_moved=True)


@contextmanager
def case_activity(
    *,
    case_id: int,
    actor: Actor,
    action: Action,
    expected_version: int | None = None,
    read_only: bool = False,
) -> Iterator[CaseAction]:
    """Run one action that records something while the flow stays where it is.

    The same checks, in the same order, as ``case_action`` (404, 403, 409
    stage, 409 version, 409 not ready yet), and one audit event, but no task
    is completed and the stage does not change. The case's version goes up,
    so a form opened before a declaration or a view is refused as stale.

    ``read_only``: the action changes nothing on the case (a suggestion). It
    is still checked and audited, but takes no row lock (a look must not
    make someone acting at that moment fail) and leaves the version alone,
    so the convene form HR already has open does not go stale. A look that
    repeats the case's newest event word for word (the same person asking
    the same again: a reload, the browser's Back button) is already on
    record and is not logged twice.
    """
    rule = RULES[action]
    # An activity applies during open steps (``during``) or, for a record kept
    # beside the flow (a suspension, a wellbeing check-in), in ``stages``.
    if rule.node is not None or not (rule.during or rule.stages):
        raise TypeError(f"{action} moves the flow: use case_action.")
    with transaction.atomic():
        if read_only:
            case = _read_case(case_id, during=rule.during)
        else:
            case = lock_case(case_id, during=rule.during)
        # No task is completed, so none is read: the lock said whether one of
        # the rule's steps is open, which is all ``rules.applies`` asks here.
        nodes = list(rule.during) if getattr(case, "ftp_step_open", False) else []
        person = _check(case, actor, action, rule, expected_version, nodes)
        ctx = CaseAction(
            case=case, actor=actor, action=action, from_stage=case.stage, on_behalf_of=person
        )
        yield ctx
        _forget_panels(case)
        if read_only:
            if not _repeats_newest_event(ctx):
                _audit(ctx)
        else:
            _finish(ctx)


def _read_case(case_id: int, *, during: Sequence[str] = ()) -> Case:
    cases = Case.objects.select_related(
        "referring_manager", "process", "just_culture"
    ).prefetch_related(*participants().lock_prefetches())
    case = _with_step_open(cases, during).filter(pk=case_id).first()
    if case is None:
        raise NotFound("No such case.")
    return case


def task_reassign(case: Case, node_name: str, user: Actor) -> None:
    """Give the open ``node_name`` task to ``user`` without completing it.

    The chair's ``decide`` task is assigned when the panel is convened; when
    the chair stands down and HR names a new one, the task must follow, or
    the new chair would never see it in their inbox. Call under the case lock.
    """
    node = ReferralFlow.instance.node(node_name)
    task = Task.objects.filter(
        process_id=case.process_id, flow_task=node, status__in=_ACTIVE
    ).first()
    if task is None:
        raise Conflict(f"Case {case.reference} is not waiting for {node_name}.")
    task.owner = user
    task.save(update_fields=["owner"])


def _check(
    case: Case,
    actor: Actor,
    action: Action,
    rule: Rule,
    expected_version: int | None,
    nodes: list[str],
) -> Actor | None:
    """Refuse the action, or say whom the actor takes it for: None for
    themselves, or the person they cover whose rule allows it (looked up
    only when the actor's own rule refuses)."""
    if not can_view(actor, case):
        raise NotFound("No such case.")
    person = None
    if not rule.allowed(actor, case):
        person = acting_for(actor, action, case)
        if person is None:
            raise NotAllowed(_refusal(actor, action, rule))
    if not applies(action, case, nodes):
        raise Conflict(
            f"{action.label} does not apply to case {case.reference} at its current stage "
            f"({case.get_stage_display()})."
        )
    if expected_version is not None and expected_version != case.version:
        raise Conflict(f"Case {case.reference} was changed by someone else. Reload it.")
    if why := not_ready(action, person or actor, case):
        raise Conflict(why)
    return cast("Actor | None", person)


def _refusal(actor: Actor, action: Action, rule: Rule) -> str:
    """Why the actor may not: a delegate asking for a personal panel action is
    told it is personal, rather than that they hold the wrong role."""
    if action in NOT_DELEGABLE and delegated_to(actor):
        return NOT_DELEGABLE_REFUSAL.format(action=action.label)
    return rule.refusal


def _complete(ctx: CaseAction, node_name: str) -> None:
    case, actor = ctx.case, ctx.actor
    node = ReferralFlow.instance.node(node_name)
    task = next((t for t in ctx.tasks if t.flow_task.name == node_name), None)
    if task is None:  # checked in case_action under the same lock; kept as a guard
        raise Conflict(f"Case {case.reference} is not waiting for {node_name}.")
    # Hand the flow the locked, in-memory case: its gates read what the
    # service just wrote (not yet saved), and no row is fetched twice.
    task.process = case.process
    case.process.ftp_case = case
    activation = node.activation_class(task)
    if task.status == STATUS.NEW or task.owner_id != actor.pk:
        # What viewflow's ``assign`` (a task in a queue) or ``reassign`` (HR
        # acting on a task the referring manager holds: the record should
        # name who really did it) would do, without their own save: the task
        # row is written once, by ``execute`` below, with its owner. Neither
        # transition checks anything here (docs/viewflow-notes.md); the
        # product's rules were checked under the lock.
        task.owner = actor
        task.status = STATUS.ASSIGNED
    activation.start(None)
    activation.execute()


def _finish(ctx: CaseAction, *, flow_moved: bool = False) -> None:
    """Save the case, advance its step spell, audit and announce.

    After the flow moved, its stage and open steps are read back in one
    query. A recording during a step (``flow_moved`` False) leaves the flow
    where the lock found it, so nothing is read again.
    """
    case = ctx.case
    now = timezone.now()
    nodes: list[str] = []
    if flow_moved:
        stage, nodes = flow_state(case.process_id)
        case.stage = _stage_or_closed(case, stage)
    case.updated_at = now
    case.version += 1
    if case.stage == Stage.CLOSED and case.closed_at is None:
        case.closed_at = now
    # Commissioned when the case enters ``formal``; an activity recorded while
    # it is there (the formal process, formal/) must not move WRES's date.
    if case.stage == Stage.FORMAL and ctx.from_stage != Stage.FORMAL:
        case.formal_commissioned_at = now
    case.save()
    opened = case_step_advance(case=case, open_nodes=nodes, at=now) if flow_moved else None
    _audit(ctx)
    # The reactions (who is told, the new step's reminders) subscribe to this
    # and run in this transaction; sending is queued for after the commit.
    events.publish(
        CaseActed(
            case=case,
            actor=ctx.actor,
            action=ctx.action,
            from_stage=ctx.from_stage,
            to_stage=case.stage,
            flow_moved=flow_moved,
            open_step=opened,
            payload=_payload(ctx),
        )
    )


def _repeats_newest_event(ctx: CaseAction) -> bool:
    """Whether the case's newest event is this one already: same action,
    person, stage, reason and payload (one row, along the index on (case, at))."""
    newest = (
        AuditEvent.objects.filter(case=ctx.case)
        .order_by("-at", "-id")
        .values("action", "actor_id", "to_stage", "reason", "payload")
        .first()
    )
    return newest == {
        "action": ctx.action.value,
        "actor_id": ctx.actor.pk,
        "to_stage": ctx.case.stage,
        "reason": ctx.reason,
        "payload": normalise_payload(_payload(ctx)),
    }


def _payload(ctx: CaseAction) -> dict[str, Any]:
    """The action's payload, naming the person it was taken for, if anyone:
    the event's actor is the delegate, so the record says "by X for Y"."""
    if ctx.on_behalf_of is None:
        return ctx.payload
    return {**ctx.payload, "on_behalf_of": ctx.on_behalf_of.pk}


def _audit(ctx: CaseAction) -> None:
    case = ctx.case
    audit_record(
        case=case,
        actor=ctx.actor,
        action=ctx.action.value,
        from_stage=ctx.from_stage,
        to_stage=case.stage,
        reason=ctx.reason,
        payload=_payload(ctx),
    )
