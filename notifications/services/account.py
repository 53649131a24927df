"""Telling the case's owner that the employee's account arrived by their link.

Subscribed to ``voice.events.AccountReceived`` (in the transaction that
recorded it). The owner hears; a case not yet owned (before triage) tells
the trust's HR advisers, who triage it. The message carries the reference
only: the account is read on the case page, under ``AccountVisible``.
"""

from __future__ import annotations

from accounts.roles import Role
from voice.events import AccountReceived

from ..models import Kind
from ..selectors import users_with_role
from .batch import NoticeEvent, notifications_record_many
from .covering import covered_events


def account_received_notify(event: AccountReceived) -> None:
    case = event.case
    owner = case.owner if case.owner_id is not None else None
    recipients = [owner] if owner is not None else list(users_with_role(Role.HR))
    recipients = [u for u in recipients if u.pk != case.referring_manager_id]
    if not recipients:
        return
    told = NoticeEvent(
        event_key=f"{Kind.ACCOUNT_RECEIVED.value}:{case.pk}:v{case.version}",
        kind=Kind.ACCOUNT_RECEIVED,
        recipients=recipients,
        case_id=case.pk,
    )
    notifications_record_many(events=covered_events([told]))
