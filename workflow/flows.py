"""The referral flow, readable top to bottom as the specification.

    submitted --triage--> informal | panel | closed (redirected) | back to the manager
    informal  --record outcome--> closed (resolved) | panel (unresolved)
    panel     --convene, then the chair decides--> signoff (formal proposed) | closed
    signoff   --approve--> formal (investigation commissioned) | decline --> panel

People never complete these tasks through viewflow's generic views: every
action is a service in ``workflow.services`` that checks the actor's role and
relation to the case, writes the case, completes the task here and appends
an audit event, in one transaction. The gates below read what the service
wrote on the case.
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation

from accounts.types import Actor
from core.errors import Conflict

from .models import Case, Outcome, Stage, TriageRoute
from .task_view import open_case_page


def _case(activation: Activation) -> Case:
    """The case behind the activation: the services hand over the locked,
    in-memory case (with what they just wrote); otherwise it is read."""
    case = getattr(activation.process, "ftp_case", None)
    if case is None:
        case = Case.objects.select_related("referring_manager").get(
            process_id=activation.process.pk
        )
    return case


class ReferralFlow(flow.Flow):
    """Fair Treatment Panel referral

    A proposed disciplinary referral: triage, informal resolution, a Fair
    Treatment Panel and a senior sign-off before any formal investigation.
    """

    # Fail fast instead of queueing behind another request on the same case;
    # the services lock the rows with NOWAIT first (workflow/engine.py
    # lock_case) and turn a busy case into a conflict error.
    lock_impl = lock.SelectForUpdateLock(nowait=True, attempts=3)

    start = flow.StartHandle().Next(this.triage)

    triage = (
        flow.View(open_case_page)
        .Annotation(title="Triage referral")
        .Permission("workflow.triage_case")
        .Next(this.route_triage)
    )
    route_triage = (
        flow.Switch()
        .Case(this.informal, this.routed_informal)
        .Case(this.convene, this.routed_to_panel)
        .Case(this.resubmit, this.returned_to_manager)
        .Default(this.closed)
    )
    resubmit = (
        flow.View(open_case_page)
        .Annotation(title="Add information and resubmit")
        .Assign(this.referring_manager)
        .Next(this.triage)
    )

    informal = (
        flow.View(open_case_page)
        .Annotation(title="Record informal resolution")
        .Assign(this.referring_manager)
        .Next(this.route_informal)
    )
    route_informal = flow.If(this.resolved_informally).Then(this.closed).Else(this.convene)

    convene = (
        flow.View(open_case_page)
        .Annotation(title="Convene Fair Treatment Panel")
        .Permission("workflow.convene_panel")
        .Next(this.decide)
    )
    decide = (
        flow.View(open_case_page)
        .Annotation(title="Record panel decision")
        .Assign(this.panel_chair)
        .Next(this.route_decision)
    )
    route_decision = flow.If(this.formal_proposed).Then(this.signoff).Else(this.closed)

    signoff = (
        flow.View(open_case_page)
        .Annotation(title="Sign off formal investigation")
        .Permission("workflow.sign_off")
        .Next(this.route_signoff)
    )
    route_signoff = flow.If(this.signoff_approved).Then(this.formal).Else(this.decide)

    formal = flow.End().Annotation(title="Formal investigation commissioned")
    closed = flow.End().Annotation(title="Closed")

    # --- conditions: each reads what the service just wrote on the case ----

    def routed_informal(self, activation: Activation) -> bool:
        return _case(activation).triage_route == TriageRoute.INFORMAL

    def routed_to_panel(self, activation: Activation) -> bool:
        return _case(activation).triage_route == TriageRoute.PANEL

    def returned_to_manager(self, activation: Activation) -> bool:
        return _case(activation).triage_route == TriageRoute.RETURN

    def resolved_informally(self, activation: Activation) -> bool:
        return bool(_case(activation).informal_resolved)

    def formal_proposed(self, activation: Activation) -> bool:
        return _case(activation).outcome == Outcome.FORMAL_INVESTIGATION

    def signoff_approved(self, activation: Activation) -> bool:
        last = _case(activation).signoffs.order_by("-signed_at", "-id").first()
        return bool(last and last.approved)

    # --- owners --------------------------------------------------------------

    def referring_manager(self, activation: Activation) -> Actor:
        return _case(activation).referring_manager

    def panel_chair(self, activation: Activation) -> Actor:
        panels = _case(activation).panels.select_related("chair").order_by("-convened_at", "-id")
        panel = panels.first()
        if panel is None:  # unreachable: the decide task opens when a panel is convened
            raise Conflict(f"Case {_case(activation).reference} has no panel to chair.")
        return panel.chair


# The stage a case is in while each node is active (or once it has ended).
STAGE_OF_NODE: dict[str, Stage] = {
    "triage": Stage.SUBMITTED,
    "resubmit": Stage.SUBMITTED,
    "informal": Stage.INFORMAL,
    "convene": Stage.PANEL,
    "decide": Stage.PANEL,
    "signoff": Stage.SIGNOFF,
    "formal": Stage.FORMAL,
    "closed": Stage.CLOSED,
}
