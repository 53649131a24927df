"""The named HR case owner: checked at triage, changed by an HR lead.

Every case has one HR adviser who owns it from triage (docs/case-owners.md):
shown on every list, told of the HR stage's reminders. Only an HR lead
changes it afterwards, for one case (``owner_reassign``) or for all of a
leaver's open cases at once (``owner_reassign_all``). Each case changed is
locked and gets its own ``owner_reassigned`` event naming both people, so
each case's path says who took it over, when, and why.

Not in ``ACTION_SERVICES``: changing the owner moves no flow and is open at
any stage; the case's version is left alone, so a form someone has open on
the case does not go stale because its owner changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Actor
from audit.services import audit_record
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed

from ..engine import BUSY
from ..models import Case, Stage

OWNER_REASSIGNED = "owner_reassigned"
# Cases moved per transaction when a leaver's cases are handed over: each
# batch holds the locks of its cases only, for a fraction of a second.
BATCH = 200

LEADS_ONLY = "Only an HR lead can change a case's owner."


def owner_problem(case: Case, owner: Any) -> str | None:
    """Why ``owner`` cannot own ``case``, or None: the owner is an HR adviser
    of the trust (acting for it now) who did not refer the case."""
    if owner is None or not owner.is_active or not has_role(owner, Role.HR):
        return "The case owner must be an HR adviser of this trust."
    if owner.pk == case.referring_manager_id:
        return "The referring manager cannot own the case they referred."
    return None


def owner_for_triage(case: Case, actor: Actor, owner_id: int | None) -> Actor:
    """The owner triage sets: the HR adviser named, or the one triaging.

    Raises ``ValidationFailed`` on ``owner`` for anyone who may not own it."""
    owner = actor if owner_id in (None, actor.pk) else _user(owner_id)
    if why := owner_problem(case, owner):
        raise ValidationFailed({"owner": [why]})
    return owner


def owner_reassign(*, case_id: int, actor: Actor, new_owner: int, reason: str) -> Case:
    """Give one case a new owner (an HR lead only), locked and audited."""
    _lead_only(actor)
    reason = _reason(reason)
    owner = _user(new_owner)
    with transaction.atomic():
        case = _locked([case_id])
        if not case:
            raise NotFound("No such case.")
        if case[0].owner_id == new_owner:
            raise ValidationFailed({"new_owner": ["That person already owns the case."]})
        if why := owner_problem(case[0], owner):
            raise ValidationFailed({"new_owner": [why]})
        _move(case[0], owner, actor, reason)
    return case[0]


@dataclass
class Handover:
    """What ``owner_reassign_all`` did: how many cases moved, and the cases
    left with the leaver because the new owner referred them."""

    moved: int = 0
    kept: list[str] = field(default_factory=list)


def owner_reassign_all(
    *, actor: Actor, from_user: int, to_user: int, reason: str, open_only: bool = True
) -> Handover:
    """Hand every case ``from_user`` owns (open ones only, by default) to
    ``to_user``: for a leaver, or a long absence (an HR lead only).

    In batches of ``BATCH`` cases, each batch one transaction: a leaver with
    hundreds of cases never holds hundreds of locks, and a batch that meets
    a case someone is acting on fails alone (retry: the cases already moved
    are no longer the leaver's). A case the new owner referred stays with
    the leaver and is listed for the lead to place by hand.
    """
    _lead_only(actor)
    reason = _reason(reason)
    if from_user == to_user:
        raise ValidationFailed({"to_user": ["Choose someone other than the current owner."]})
    owner = _user(to_user)
    if owner is None or not owner.is_active or not has_role(owner, Role.HR):
        raise ValidationFailed({"to_user": ["The new owner must be an HR adviser of this trust."]})
    done = Handover()
    after = 0
    cases = Case.objects.filter(owner_id=from_user, destroyed_at__isnull=True)
    if open_only:
        cases = cases.filter(stage__in=Stage.open_values())
    while ids := list(
        cases.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH]
    ):
        after = ids[-1]
        with transaction.atomic():
            for case in _locked(ids):
                if case.owner_id != from_user:  # moved meanwhile
                    continue
                if owner_problem(case, owner):
                    done.kept.append(case.reference)
                    continue
                _move(case, owner, actor, reason)
                done.moved += 1
    return done


def _lead_only(actor: Actor) -> None:
    if not has_role(actor, Role.HR_LEAD):
        raise NotAllowed(LEADS_ONLY)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": ["Say why the owner is changing."]})
    return text


def _user(pk: int | None) -> Any:
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def _locked(ids: list[int]) -> list[Case]:
    """The cases' rows, locked for this transaction, failing fast (as the
    engine's ``lock_case``: nobody waits, so nothing deadlocks)."""
    try:
        return list(
            Case.objects.select_for_update(nowait=True, of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
        )
    except OperationalError as exc:
        raise Conflict(BUSY) from exc


def _move(case: Case, owner: Any, actor: Actor, reason: str) -> None:
    before = case.owner_id
    case.owner = owner
    case.updated_at = timezone.now()
    case.save(update_fields=["owner", "updated_at"])
    audit_record(
        case=case,
        actor=actor,
        action=OWNER_REASSIGNED,
        from_stage=case.stage,
        to_stage=case.stage,
        reason=reason,
        payload={"from": before, "to": owner.pk},
    )
