"""The panels' side of ``workflow.participants``: who sits on a case, who is cleared.

``workflow.access`` decides who may see what, once, for the whole product;
the facts it needs about seats and declarations are the panels', and this
is where they are read, in both forms (a case in hand, using what was
prefetched; a query over cases). ``PanelsConfig.ready`` registers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Subquery

from workflow import participants as port

from . import state
from .models import Declaration, Panel, PanelDecision, PanelMembership, PanelView
from .selectors import seats_prefetch

if TYPE_CHECKING:
    from accounts.types import Actor
    from workflow.models import Case


class PanelParticipants:
    """The people seated on a case's panels (``workflow.participants.CaseParticipants``)."""

    def seated_ids(self, case: Case) -> set[int]:
        return state.panel_member_ids(case)

    def seated_q(self, user: Actor, prefix: str) -> Exists:
        return Exists(
            PanelMembership.objects.filter(panel__case=OuterRef(f"{prefix}pk"), user=user)
        )

    def cleared(self, case: Case, user_id: int) -> bool:
        panel = state.current_panel(case)
        seat = state.seat_of(panel, user_id) if panel is not None else None
        return state.cleared(seat)

    def cleared_q(self, user: Actor, prefix: str) -> Exists:
        # The current panel is the latest convened (``state.current_panel``).
        current = (
            Panel.objects.filter(case=OuterRef(OuterRef(f"{prefix}pk")))
            .order_by("-convened_at", "-id")
            .values("pk")[:1]
        )
        return Exists(
            Declaration.objects.filter(
                membership__panel_id=Subquery(current), membership__user=user, no_conflict=True
            )
        )

    def cleared_on_any(self, case: Case, user_id: int) -> bool:
        return any(state.cleared(state.seat_of(p, user_id)) for p in case.panels.all())

    def cleared_on_any_q(self, user: Actor, prefix: str) -> Exists:
        return Exists(
            Declaration.objects.filter(
                membership__panel__case=OuterRef(f"{prefix}pk"),
                membership__user=user,
                no_conflict=True,
            )
        )

    def lock_prefetches(self) -> tuple[Prefetch[str], ...]:
        # The rules ask who sits (ids), who declared and viewed, and the
        # decisions; never a member's user row, so it is not joined here.
        seats = PanelMembership.objects.select_related("declaration").prefetch_related(
            Prefetch("views", queryset=PanelView.objects.order_by("recorded_at", "id"))
        )
        return (
            Prefetch(
                "panels",
                queryset=Panel.objects.select_related("chair").prefetch_related(
                    Prefetch("memberships", queryset=seats), "decisions"
                ),
            ),
        )

    def detail_prefetches(self) -> tuple[Prefetch[str], ...]:
        return (
            Prefetch(
                "panels",
                queryset=Panel.objects.select_related("chair", "convened_by").prefetch_related(
                    seats_prefetch(), "decisions"
                ),
            ),
            Prefetch(
                "decisions",
                queryset=PanelDecision.objects.select_related("decided_by", "guide_answers"),
            ),
        )

    def withhold_conflict_reasons(self, case: Case) -> None:
        for panel in case.panels.all():
            for seat in panel.memberships.all():
                made = state.declaration(seat)
                if made is not None and made.reason:
                    made.reason = ""

    def latest_decision(self, case: Case) -> PanelDecision | None:
        # Under the engine's lock the panels and their decisions are already
        # read (``lock_prefetches``); every decision of a case is one of its
        # panels'. Otherwise, one query.
        if "panels" in getattr(case, "_prefetched_objects_cache", {}):
            made = [d for panel in case.panels.all() for d in panel.decisions.all()]
            return max(made, key=lambda d: (d.decided_at, d.pk), default=None)
        return PanelDecision.objects.filter(case=case).order_by("-decided_at", "-id").first()


def register() -> None:
    """Plug the panels into the engine's port (``PanelsConfig.ready``)."""
    port.register(PanelParticipants())
