"""Writes of the action plans: adding and changing actions, each with its
audit event; the alerts an action may name (the current early warning's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.types import Actor
from audit.services import audit_record
from core.errors import NotAllowed, NotFound, ValidationFailed
from core.inputs import EARLIEST, LATEST
from reports.early_warning import early_warning
from staff.models import OrgUnit

from . import events
from .access import MANAGE_REFUSAL, can_manage, owners
from .models import (
    ALERT_KEY_MAX,
    SAID_MAX,
    TITLE_MAX,
    Action,
    ActionStatus,
    Indicator,
    Question,
)
from .models import (
    COMMITTEES as COMMITTEE_CHOICES,
)

# The early warning's bands an action may answer.
ALERT_BANDS = ("alert", "warning")
# The early warning's default window (issue 17: 24 months).
ALERT_WINDOW_MONTHS = 24


@dataclass(frozen=True)
class ActionFields:
    """What a person enters about an action (ids for the linked rows)."""

    title: str
    owner_id: int
    due_on: dt.date
    committee: str
    status: str = ActionStatus.OPEN.value
    org_unit_id: int | None = None
    indicator: str = ""
    question_id: int | None = None
    alert_level: str = ""
    alert_key: str = ""
    you_said: str = ""
    we_did: str = ""


def current_alerts(as_at: dt.date | None = None) -> list[tuple[str, str, str]]:
    """(level, key, band) of every row of the current trust's early warning
    in alert or warning today, most significant first."""
    rows = early_warning(as_at or timezone.localdate(), ALERT_WINDOW_MONTHS)
    out = []
    for row in rows:
        band = str(row.as_json()["band"])
        if band in ALERT_BANDS:
            out.append((row.level, row.key, band))
    return out


def _errors(data: ActionFields, before: Action | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip() or len(data.title) > TITLE_MAX:
        add("title", f"Give the action a title of up to {TITLE_MAX} characters.")
    if data.status not in ActionStatus.values:
        add("status", "Choose a status.")
    if data.committee not in {name for name, _ in COMMITTEE_CHOICES}:
        add("committee", "Choose a committee of the governance chain.")
    if not EARLIEST <= data.due_on <= LATEST:
        add("due_on", "Enter a date between 2000 and 2100.")
    if not owners().filter(pk=data.owner_id).exists():
        add("owner", "Choose a login of this trust's managers or leaders.")
    for name in ("you_said", "we_did"):
        if len(getattr(data, name)) > SAID_MAX:
            add(name, f"Keep this to {SAID_MAX} characters.")
    _link_errors(data, before, add)
    return errors


def _link_errors(data: ActionFields, before: Action | None, add: Any) -> None:
    if (
        data.org_unit_id is not None
        and not OrgUnit.objects.filter(pk=data.org_unit_id, kind=OrgUnit.Kind.ICSU).exists()
    ):
        add("org_unit", "Choose one of the trust's ICSUs.")
    if data.indicator and data.indicator not in Indicator.values:
        add("indicator", "Choose an indicator.")
    if data.indicator == Indicator.QUESTION and data.question_id is None:
        add("question", "Choose the self-assessment question.")
    if data.question_id is not None and not Question.objects.filter(pk=data.question_id).exists():
        add("question", "Choose one of the self-assessment questions.")
    if bool(data.alert_level) != bool(data.alert_key):
        add("alert_key", "Give both the alert's level and its key, or neither.")
    elif data.alert_level and len(data.alert_key) <= ALERT_KEY_MAX:
        unchanged = before is not None and (before.alert_level, before.alert_key) == (
            data.alert_level,
            data.alert_key,
        )
        # An alert is checked when it is entered; one that has since cleared stays linked.
        alerts = {(level, key) for level, key, _ in current_alerts()}
        if not unchanged and (data.alert_level, data.alert_key) not in alerts:
            add("alert_key", "This is not in alert or warning in today's early warning.")
    if not (data.org_unit_id or data.indicator or data.alert_level):
        add("__all__", "Link the action to an ICSU, an indicator or an early-warning alert.")


def _apply(action: Action, data: ActionFields) -> list[str]:
    """Copy ``data`` onto ``action``; the names of the fields that changed."""
    changed = []
    for f in fields(ActionFields):
        value = getattr(data, f.name)
        if isinstance(value, str):
            value = value.strip()
        if data.indicator != Indicator.QUESTION and f.name == "question_id":
            value = None
        if getattr(action, f.name) != value:
            changed.append(f.name.removesuffix("_id"))
            setattr(action, f.name, value)
    return changed


def _payload(action: Action, changed: list[str]) -> dict[str, Any]:
    return {
        "action": action.pk,
        "changed": changed,
        "status": action.status,
        "due_on": action.due_on.isoformat(),
        "owner": action.owner_id,
        "committee": action.committee,
        "org_unit": action.org_unit_id,
        "indicator": action.indicator,
        "alert": [action.alert_level, action.alert_key] if action.alert_level else None,
    }


@transaction.atomic
def action_add(*, actor: Actor, data: ActionFields) -> Action:
    if not can_manage(actor):
        raise NotAllowed(MANAGE_REFUSAL)
    errors = _errors(data, None)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    action = Action(created_at=now, created_by=actor, updated_at=now)
    changed = _apply(action, data)
    action.save()
    audit_record(
        case=None, actor=actor, action=events.ACTION_ADDED, payload=_payload(action, changed)
    )
    return action


@transaction.atomic
def action_change(*, actor: Actor, action_id: int, data: ActionFields) -> Action:
    """Change an action; changing nothing records nothing."""
    if not can_manage(actor):
        raise NotAllowed(MANAGE_REFUSAL)
    try:
        action = Action.objects.select_for_update().get(pk=action_id)
    except Action.DoesNotExist:
        raise NotFound("No such action.") from None
    errors = _errors(data, action)
    if errors:
        raise ValidationFailed(errors)
    changed = _apply(action, data)
    if changed:
        action.updated_at = timezone.now()
        action.save()
        audit_record(
            case=None, actor=actor, action=events.ACTION_CHANGED, payload=_payload(action, changed)
        )
    return action
