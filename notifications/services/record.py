"""Recording notifications inside the action's transaction (the outbox).

Nothing is sent here. Rows are written in the caller's transaction, so they
commit or roll back with the case action; the send tasks are queued only
once it has committed (``transaction.on_commit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role
from accounts.types import Actor
from workflow.events import CaseActed, CaseSubmitted
from workflow.models import Case, Stage
from workflow.rules import Action

from ..channels import enabled_channels
from ..models import Delivery, DeliveryStatus, Kind, Notification
from ..selectors import digest_user_ids, independent_decision_makers, users_with_role
from .delivery import deliveries_enqueue_on_commit


def notifications_record(
    *,
    event_key: str,
    kind: str,
    recipients: Iterable[Actor],
    case: Case | None = None,
    step: str = "",
    due_on: dt.date | None = None,
) -> list[int]:
    """One notification per recipient for one event, and a delivery per
    channel that can reach them; returns the deliveries queued on commit.

    Idempotent: the unique keys (event, recipient) and (event, recipient,
    channel) make recording the same event twice a no-op. Emails of people
    who chose the daily digest are ``held`` for it; in the app is immediate.
    """
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not people:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                event_key=event_key,
                recipient_id=pk,
                kind=kind,
                case=case,
                step=step,
                due_on=due_on,
                created_at=now,
            )
            for pk in people
        ],
        ignore_conflicts=True,
    )
    notes = Notification.objects.filter(event_key=event_key, recipient_id__in=list(people))
    digesters = digest_user_ids(people) if kind != Kind.DIGEST else set()
    rows = [
        Delivery(
            notification_id=note_id,
            event_key=event_key,
            recipient_id=user_id,
            channel=plugin.name,
            status=(
                DeliveryStatus.HELD
                if plugin.digestible and user_id in digesters
                else DeliveryStatus.PENDING
            ),
            next_try_at=now,
            created_at=now,
        )
        for note_id, user_id in notes.values_list("pk", "recipient_id")
        for plugin in enabled_channels().values()
        # A digest is itself one email: it never goes to the in-app list.
        if plugin.accepts(people[user_id]) and (kind != Kind.DIGEST or plugin.digestible)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            event_key=event_key, recipient_id__in=list(people), status=DeliveryStatus.PENDING
        ).values_list("pk", flat=True)
    )
    deliveries_enqueue_on_commit(ids)
    return ids


# --- what each case event tells whom -------------------------------------------


def _key(kind: str, case: Case) -> str:
    """One event per action: the case's version goes up with every action."""
    return f"{kind}:{case.pk}:v{case.version}"


def referral_submitted_notify(event: CaseSubmitted) -> None:
    """A referral was submitted (subscribed to ``CaseSubmitted``): HR advisers hear."""
    case, actor = event.case, event.actor
    hr = [u for u in users_with_role(Role.HR) if u.pk != actor.pk]
    notifications_record(
        event_key=_key(Kind.SUBMITTED, case), kind=Kind.SUBMITTED, recipients=hr, case=case
    )


def case_action_notify(event: CaseActed) -> None:
    """After an action on a case (subscribed to ``CaseActed``, in its transaction).

    The referring manager hears when their case moves (unless they moved
    it); HR when a returned case is resubmitted; panel members when they
    are convened (or brought in as replacements); decision-makers when a
    sign-off waits.
    """
    case, actor, act = event.case, event.actor, event.action
    if event.flow_moved and case.referring_manager_id != actor.pk:
        notifications_record(
            event_key=_key(Kind.CASE_MOVED, case),
            kind=Kind.CASE_MOVED,
            recipients=[case.referring_manager],
            case=case,
        )
    if act == Action.RESUBMIT:
        hr = [u for u in users_with_role(Role.HR) if u.pk != actor.pk]
        notifications_record(
            event_key=_key(Kind.SUBMITTED, case), kind=Kind.SUBMITTED, recipients=hr, case=case
        )
    if act in (Action.CONVENE_PANEL, Action.REPLACE_MEMBERS):
        members = get_user_model().objects.filter(pk__in=event.payload.get("members") or [])
        notifications_record(
            event_key=_key(Kind.PANEL_CONVENED, case),
            kind=Kind.PANEL_CONVENED,
            recipients=members,
            case=case,
        )
    if event.to_stage == Stage.SIGNOFF and event.from_stage != Stage.SIGNOFF:
        notifications_record(
            event_key=_key(Kind.SIGNOFF_WAITING, case),
            kind=Kind.SIGNOFF_WAITING,
            recipients=independent_decision_makers(case),
            case=case,
        )
