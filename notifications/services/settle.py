"""Notices whose ask has lapsed are read (issue 18).

"A referral is waiting for triage" asks HR to triage; once one adviser has
triaged it, the same notice in every other adviser's list is no longer
outstanding, and a list that still shows it unread sends people to work that
is done. So when a case moves on (``CaseActed`` with the flow moved, in the
action's transaction), every unread notice about it whose ask no longer
holds is marked read: those asking for the stage the case has left, and
reminders and escalations about a case that is finished (formal or closed).
Notices that tell rather than ask ("your case moved on") are left for their
reader.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from workflow.events import CaseActed
from workflow.models import Stage

from ..models import Kind, Notification

# What a notice asks of its recipient holds while the case is at these stages.
ASKS_WHILE: dict[str, list[str]] = {
    Kind.SUBMITTED: [Stage.SUBMITTED],
    Kind.PANEL_CONVENED: [Stage.PANEL],
    Kind.SIGNOFF_WAITING: [Stage.SIGNOFF],
}


def lapsed_at(stage: str) -> Q:
    """The notices (about a case now at ``stage``) whose ask has lapsed."""
    kinds = [kind for kind, stages in ASKS_WHILE.items() if stage not in stages]
    if stage not in Stage.open_values():
        kinds += Kind.deadline_kinds()
    return Q(kind__in=kinds)


def notices_settle_on_action(event: CaseActed) -> None:
    """Mark read the unread notices about the case that no longer ask anything
    of their recipients (subscribed to ``CaseActed``)."""
    if not event.flow_moved:
        return
    Notification.objects.filter(
        lapsed_at(event.to_stage), case_id=event.case.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
