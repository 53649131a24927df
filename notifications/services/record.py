"""Recording notifications inside the action's transaction (the outbox).

Nothing is sent here. Rows are written in the caller's transaction, so they
commit or roll back with the case action; the send tasks are queued only
once it has committed (``transaction.on_commit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

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
from .batch import NoticeEvent, notifications_record_many
from .covering import covered_events
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
    notes = list(
        Notification.objects.filter(event_key=event_key, recipient_id__in=list(people)).values_list(
            "pk", "recipient_id"
        )
    )
    digesters = digest_user_ids(people) if kind != Kind.DIGEST else set()
    rows = [
        Delivery(
            notification_id=note_id,
            channel=plugin.name,
            status=(
                DeliveryStatus.HELD
                if plugin.digestible and user_id in digesters
                else DeliveryStatus.PENDING
            ),
            next_try_at=now,
            created_at=now,
        )
        for note_id, user_id in notes
        for plugin in enabled_channels().values()
        # A digest is itself one email: it never goes to the in-app list.
        if plugin.accepts(people[user_id]) and (kind != Kind.DIGEST or plugin.digestible)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            notification_id__in=[note_id for note_id, _ in notes], status=DeliveryStatus.PENDING
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
    notifications_record_many(events=covered_events([_told(Kind.SUBMITTED, case, hr)]))


def case_action_notify(event: CaseActed) -> None:
    """After an action on a case (subscribed to ``CaseActed``, in its transaction).

    The referring manager hears when their case moves (unless they moved
    it); HR when a returned case is resubmitted; panel members when they
    are convened (or brought in as replacements); decision-makers when a
    sign-off waits. Everyone told of one action is recorded in one go
    (``notifications_record_many``: the same few queries however many
    events and people) and queued once, after commit.
    """
    told = [
        _told(kind, event.case, recipients) for kind, recipients in _who_hears(event) if recipients
    ]
    if told:
        # Whoever is away today is covered: their delegate hears, "for" them.
        notifications_record_many(events=covered_events(told))


def _who_hears(event: CaseActed) -> Iterator[tuple[str, Sequence[Actor]]]:
    """Each kind of notice the action gives, with whom it goes to."""
    case, actor, act = event.case, event.actor, event.action
    if event.flow_moved and case.referring_manager_id != actor.pk:
        yield Kind.CASE_MOVED, [case.referring_manager]
    if act == Action.RESUBMIT:
        yield Kind.SUBMITTED, [u for u in users_with_role(Role.HR) if u.pk != actor.pk]
    if act in (Action.CONVENE_PANEL, Action.REPLACE_MEMBERS):
        ids = event.payload.get("members") or []
        yield Kind.PANEL_CONVENED, list(get_user_model().objects.filter(pk__in=ids))
    if event.to_stage == Stage.SIGNOFF and event.from_stage != Stage.SIGNOFF:
        yield Kind.SIGNOFF_WAITING, independent_decision_makers(case)
    if act in FORMAL_NAMING and event.payload.get("named"):
        # The investigator, hearing chair or appeal hearer (formal/).
        named = event.payload["named"]
        yield Kind.FORMAL_NAMED, list(get_user_model().objects.filter(pk=named))


# The formal process's actions that name someone (formal/services.py).
FORMAL_NAMING = frozenset({Action.NAME_INVESTIGATOR, Action.SCHEDULE_HEARING, Action.LODGE_APPEAL})


def _told(kind: str, case: Case, recipients: Sequence[Actor]) -> NoticeEvent:
    return NoticeEvent(
        event_key=_key(kind, case), kind=kind, recipients=recipients, case_id=case.pk
    )
