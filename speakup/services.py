"""Writes of the speak-up route: raising a concern, following it up, and the
guardians' casework (docs/speak-up.md).

Every write is audited (``audit_record``, with no case, no concern text and
no reason). Raising or following up anonymously records no identity
anywhere: no reporter, no actor on the event, nothing of the request. The
access rules are ``speakup.access``; services refuse what they refuse
(``NotAllowed``) and do not trust the view to have checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import user_roles
from audit.services import audit_record
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from core.working_days import add_working_days
from notifications.services.delivery import CONCERN_NOTICE_SENT
from staff.ethnicity import EthnicCategory
from staff.models import OrgUnit
from tenancy.policy import trust_policy

from . import keys, throttle
from .access import Casework, ConcernVisible, KeyHolder, OwnConcern
from .models import (
    CATEGORIES,
    Concern,
    ConcernMessage,
    ProfessionalGroup,
    Route,
    Source,
    Topic,
)
from .notices import concern_raised_notify, concern_reply_notify

if TYPE_CHECKING:
    from accounts.types import Actor, Viewer

# The audit log's names for what happened (registered in SpeakupConfig.ready,
# kept out of the case engine's explorer).
RAISED = "concern_raised"
REPORTER_REPLIED = "concern_reporter_replied"
ACKNOWLEDGED = "concern_acknowledged"
CATEGORISED = "concern_categorised"
GUARDIAN_REPLIED = "concern_guardian_replied"
CLOSED = "concern_closed"
EVENT_TYPES = (
    (RAISED, "Concern raised (Freedom to Speak Up)"),
    (REPORTER_REPLIED, "Concern: the reporter wrote"),
    (ACKNOWLEDGED, "Concern acknowledged"),
    (CATEGORISED, "Concern categorised"),
    (GUARDIAN_REPLIED, "Concern: a guardian replied"),
    (CLOSED, "Concern closed with feedback"),
    # Written by the notifications' delivery (notifications.services.delivery).
    (CONCERN_NOTICE_SENT, "Freedom to Speak Up notification sent"),
)

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 2
ACCOUNT_MAX_LENGTH = 10_000
MESSAGE_MAX_LENGTH = 5_000
CASEWORK_REFUSAL = "Only the trust's Freedom to Speak Up guardians work on concerns."
WRONG_KEY = "That case key and passphrase do not open a concern. Check both and try again."
TOO_MANY = (
    "Too many attempts with this case key, or from this device. Wait an hour and try again, "
    "or speak to a guardian in person."
)


@dataclass(frozen=True)
class Raised:
    """A concern just raised; for an anonymous one, the key and passphrase
    to show the reporter once (``case_key`` as shown, in groups)."""

    concern: Concern
    case_key: str = ""
    passphrase: str = ""


def acknowledge_due(received_on: dt.date) -> dt.date:
    """Two working days after receipt, in the trust's bank-holiday region."""
    region = trust_policy().bank_holiday_region
    return add_working_days(received_on, ACKNOWLEDGE_WITHIN_WORKING_DAYS, region)


def may_raise_named(user: Viewer) -> bool:
    """Openly or confidentially: anyone signed in holding any role of the
    trust (every employee may speak up). Anyone at all may raise anonymously."""
    return bool(user.is_authenticated and user_roles(user))


def _check_raise(
    *, route: str, topic: str, account: str, professional_group: str, ethnic_category: str
) -> None:
    errors: dict[str, list[str]] = {}
    if route not in Route.values:
        errors["route"] = ["Choose how to raise it: openly, confidentially or anonymously."]
    if topic not in Topic.values:
        errors["topic"] = ["Choose what it is about."]
    if not account.strip():
        errors["account"] = ["Say what happened."]
    elif len(account) > ACCOUNT_MAX_LENGTH:
        errors["account"] = [f"At most {ACCOUNT_MAX_LENGTH:,} characters."]
    if professional_group and professional_group not in ProfessionalGroup.values:
        errors["professional_group"] = ["Choose one of the professional groups."]
    if ethnic_category and ethnic_category not in EthnicCategory.values:
        errors["ethnic_category"] = ["Choose one of the ethnic categories, or leave it blank."]
    if errors:
        raise ValidationFailed(errors)


def concern_raise(
    *,
    reporter: Actor | None,
    route: str,
    topic: str,
    account: str,
    org_unit_id: int | None = None,
    professional_group: str = "",
    ethnic_category: str = "",
    today: dt.date | None = None,
) -> Raised:
    """Raise a concern with the trust's guardians, who are told at once.

    Anonymously, ``reporter`` must be None (the view passes None whoever is
    signed in): nothing of who raised it is stored, and a case key and
    passphrase are made for them instead. Openly or confidentially the
    reporter is the signed-in person, who must hold a role in the trust."""
    _check_raise(
        route=route,
        topic=topic,
        account=account,
        professional_group=professional_group,
        ethnic_category=ethnic_category,
    )
    anonymous = route == Route.ANONYMOUS
    if anonymous and reporter is not None:
        raise ValidationFailed({"route": ["An anonymous concern names nobody."]})
    if not anonymous and (reporter is None or not may_raise_named(reporter)):
        raise NotAllowed("Sign in as a member of the trust's staff to raise a concern by name.")
    unit = None
    if org_unit_id is not None:
        unit = OrgUnit.objects.filter(pk=org_unit_id).first()
        if unit is None:
            raise ValidationFailed({"org_unit": ["Choose one of the trust's departments."]})
    received = today or timezone.localdate()
    now = timezone.now()
    passphrase = keys.passphrase_new() if anonymous else ""
    for _attempt in range(5):  # a key collision (30^16) is as good as impossible
        key = keys.case_key_new() if anonymous else ""
        try:
            with transaction.atomic():
                concern = Concern.objects.create(
                    source=Source.RAISED,
                    route=route,
                    received_on=received,
                    org_unit=unit,
                    professional_group=professional_group,
                    ethnic_category=ethnic_category,
                    topic=topic,
                    account=account.strip(),
                    reporter=None if anonymous else reporter,
                    case_key=key,
                    passphrase_hash=make_password(passphrase) if anonymous else "",
                    acknowledge_by=acknowledge_due(received),
                    created_at=now,
                )
                audit_record(
                    case=None,
                    actor=None if anonymous else reporter,
                    action=RAISED,
                    payload={"concern": concern.pk, "route": route},
                )
                concern_raised_notify(concern)
        except IntegrityError:
            continue
        return Raised(concern, keys.case_key_shown(key) if anonymous else "", passphrase)
    raise Conflict("The concern could not be saved; please try again.")


# --- following a concern up ----------------------------------------------------------

# Checked when a key names no concern, so a wrong key costs what a wrong
# passphrase does (the answer's timing says nothing of which was wrong).
_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password(keys.passphrase_new()))
    return _DUMMY_HASH[0]


def followup_open(*, case_key: str, passphrase: str, address: str) -> KeyHolder:
    """The key holder of the anonymous concern ``case_key`` names, if
    ``passphrase`` is its own; ``NotFound`` (one message, whichever was
    wrong) or ``NotAllowed`` when too many attempts failed (per key, per
    client address: ``speakup.throttle``). Opens that concern only."""
    key = keys.key_normalise(case_key)
    if not throttle.attempt_reserve(key, address):
        raise NotAllowed(TOO_MANY)
    found = (
        Concern.objects.filter(case_key=key, route=Route.ANONYMOUS, source=Source.RAISED)
        .values_list("pk", "passphrase_hash")
        .first()
        if key
        else None
    )
    typed = keys.passphrase_normalise(passphrase)
    stored = found[1] if found else _dummy_hash()
    if not (check_password(typed, stored) and found):
        raise NotFound(WRONG_KEY)
    throttle.attempt_succeeded(key, address)
    return KeyHolder(concern_id=found[0])


def _message_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": ["Write a message."]})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed({"body": [f"At most {MESSAGE_MAX_LENGTH:,} characters."]})
    return text


def _locked(concern_id: int) -> Concern:
    concern = Concern.objects.select_for_update().filter(pk=concern_id).first()
    if concern is None:
        raise NotFound("No such concern.")
    return concern


def reporter_reply(*, viewer: Viewer | KeyHolder, concern_id: int, body: str) -> ConcernMessage:
    """The reporter writes to the guardians: a key holder on their anonymous
    concern (recorded with no actor), or a signed-in reporter on their own."""
    text = _message_body(body)
    with transaction.atomic():
        concern = _locked(concern_id)
        # Their own concern only: the key's, or one they raised by name (a
        # guardian writes to a reporter as a guardian, never as one).
        mine = (
            ConcernVisible.allows(viewer, concern)
            if isinstance(viewer, KeyHolder)
            else OwnConcern.allows(viewer, concern)
        )
        if not mine:
            raise NotFound("No such concern.")
        if concern.closed_at is not None:
            raise Conflict("This concern is closed. To raise something new, raise a new concern.")
        message = ConcernMessage.objects.create(
            concern=concern, from_guardian=False, body=text, created_at=timezone.now()
        )
        actor = None if isinstance(viewer, KeyHolder) or not viewer.is_authenticated else viewer
        audit_record(
            case=None,
            actor=actor,
            action=REPORTER_REPLIED,
            payload={"concern": concern.pk},
        )
    return message


# --- the guardians' casework ---------------------------------------------------------


def _guardian(actor: Actor) -> None:
    if not Casework.allows(actor):
        raise NotAllowed(CASEWORK_REFUSAL)


def concern_acknowledge(*, concern_id: int, actor: Actor) -> Concern:
    """A guardian acknowledges the concern (once)."""
    _guardian(actor)
    with transaction.atomic():
        concern = _locked(concern_id)
        if concern.acknowledged_at is not None:
            raise Conflict("This concern was already acknowledged.")
        if concern.closed_at is not None:
            raise Conflict("This concern is closed.")
        concern.acknowledged_at = timezone.now()
        concern.acknowledged_by = actor
        concern.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(case=None, actor=actor, action=ACKNOWLEDGED, payload={"concern": concern.pk})
    return concern


def concern_categorise(
    *,
    concern_id: int,
    actor: Actor,
    categories: dict[str, bool],
    professional_group: str,
    org_unit_id: int | None,
    ethnic_category: str,
) -> Concern:
    """A guardian records the quarterly return's categories, the reporter's
    professional group, their unit and (as the reporter described it) their
    ethnic category."""
    _guardian(actor)
    names = [name for name, _ in CATEGORIES]
    unknown = set(categories) - set(names)
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["__all__"] = [f"Unknown categories: {', '.join(sorted(unknown))}."]
    if professional_group and professional_group not in ProfessionalGroup.values:
        errors["professional_group"] = ["Choose one of the professional groups."]
    if ethnic_category and ethnic_category not in EthnicCategory.values:
        errors["ethnic_category"] = ["Choose one of the ethnic categories, or leave it blank."]
    unit = None
    if org_unit_id is not None:
        unit = OrgUnit.objects.filter(pk=org_unit_id).first()
        if unit is None:
            errors["org_unit"] = ["Choose one of the trust's departments."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        concern = _locked(concern_id)
        for name in names:
            setattr(concern, name, bool(categories.get(name, False)))
        concern.professional_group = professional_group
        concern.org_unit = unit
        concern.ethnic_category = ethnic_category
        concern.save(update_fields=[*names, "professional_group", "org_unit", "ethnic_category"])
        flags = [name for name in names if getattr(concern, name)]
        audit_record(
            case=None,
            actor=actor,
            action=CATEGORISED,
            payload={"concern": concern.pk, "categories": flags},
        )
    return concern


def concern_reply(*, concern_id: int, actor: Actor, body: str, signed: bool) -> ConcernMessage:
    """A guardian writes to the reporter; the reply names the guardian only if
    ``signed``. A signed-in reporter is told (``Kind.CONCERN_REPLY``); an
    anonymous one checks with their key."""
    _guardian(actor)
    text = _message_body(body)
    with transaction.atomic():
        concern = _locked(concern_id)
        if concern.closed_at is not None:
            raise Conflict("This concern is closed.")
        if concern.source != Source.RAISED:
            raise Conflict("An imported concern has nobody to reply to.")
        message = _guardian_message(concern, actor, text, signed=signed)
        audit_record(
            case=None, actor=actor, action=GUARDIAN_REPLIED, payload={"concern": concern.pk}
        )
    return message


def _guardian_message(concern: Concern, actor: Actor, text: str, *, signed: bool) -> ConcernMessage:
    message = ConcernMessage.objects.create(
        concern=concern,
        from_guardian=True,
        guardian=actor if signed else None,
        body=text,
        created_at=timezone.now(),
    )
    concern_reply_notify(concern, message)
    return message


def concern_close(*, concern_id: int, actor: Actor, feedback: str, signed: bool) -> Concern:
    """A guardian closes the concern with feedback to the reporter (a last
    message; acknowledged first if it was not)."""
    _guardian(actor)
    text = _message_body(feedback)
    with transaction.atomic():
        concern = _locked(concern_id)
        if concern.closed_at is not None:
            raise Conflict("This concern is already closed.")
        if concern.source != Source.RAISED:
            raise Conflict("An imported concern is a record of the past: it is not closed here.")
        now = timezone.now()
        fields = ["closed_at"]
        if concern.acknowledged_at is None:
            concern.acknowledged_at, concern.acknowledged_by = now, actor
            fields += ["acknowledged_at", "acknowledged_by"]
        concern.closed_at = now
        concern.save(update_fields=fields)
        _guardian_message(concern, actor, text, signed=signed)
        audit_record(case=None, actor=actor, action=CLOSED, payload={"concern": concern.pk})
    return concern
