"""Out-of-office delegations: a person names who covers their work while away.

The delegate sees and acts on the person's work for the dates given, and
every action records "by X for Y" (the engine's ``acting_for``); reminders
go to the delegate (``notifications``). The rules for setting one
(docs/case-owners.md):

* a person sets their own; an HR lead may set one for someone else (a
  sudden absence);
* the delegate holds every role of the person that carries work (a manager
  covers a manager, HR covers HR, a panel member a panel member), so they
  can act on everything they are handed;
* not to oneself, not in the past, and not overlapping another of the
  person's delegations;
* never a chain: a delegate's own delegation does not pass on what they
  cover (``accounts.delegation``).

Here rather than in ``accounts``: every change is audited, and the audit log
sits above the accounts app.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.delegation import TASK_ROLES
from accounts.models import Delegation, Membership
from accounts.roles import Role, has_role
from accounts.types import Actor
from audit.services import audit_record
from core.errors import NotAllowed, NotFound, ValidationFailed
from tenancy.context import current_trust_id

DELEGATION_SET = "delegation_set"
DELEGATION_ENDED = "delegation_ended"

NOT_YOURS = "You can set or end only your own delegation (an HR lead can for anyone)."


def delegation_set(
    *,
    actor: Actor,
    person_id: int,
    delegate_id: int,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
) -> Delegation:
    """Name ``delegate_id`` to cover ``person_id`` from ``starts_on`` to
    ``ends_on`` (both included), audited."""
    if person_id != actor.pk and not has_role(actor, Role.HR_LEAD):
        raise NotAllowed(NOT_YOURS)
    User = get_user_model()
    with transaction.atomic():
        # The person's row is locked, so two delegations set at once for the
        # same person cannot both pass the overlap check.
        person = User.objects.select_for_update().filter(pk=person_id).first()
        delegate = User.objects.filter(pk=delegate_id, is_active=True).first()
        if person is None:
            raise NotFound("No such person.")
        delegate = _check(person, delegate, starts_on, ends_on)
        made = Delegation.objects.create(
            person=person,
            delegate=delegate,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=(reason or "").strip()[:200],
            created_by=actor,
            created_at=timezone.now(),
        )
        audit_record(
            case=None,
            actor=actor,
            action=DELEGATION_SET,
            reason=made.reason,
            payload={
                "person": person.pk,
                "delegate": made.delegate_id,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
    return made


def _check(person: Actor, delegate: Actor | None, starts_on: dt.date, ends_on: dt.date) -> Actor:
    """The delegate, if the delegation may be set; else ``ValidationFailed``."""
    errors: dict[str, list[str]] = {}
    if delegate is None:
        errors["delegate"] = ["Choose someone of this trust to cover."]
    elif delegate.pk == person.pk:
        errors["delegate"] = ["You cannot delegate to yourself."]
    else:
        missing = _roles_of(person.pk) - _roles_of(delegate.pk)
        if missing:
            names = ", ".join(sorted(r.label for r in missing))
            errors["delegate"] = [f"The delegate must also be: {names}."]
    if ends_on < starts_on:
        errors["ends_on"] = ["The last day comes before the first."]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = ["The last day has passed."]
    elif _overlapping(person.pk, starts_on, ends_on):
        errors["starts_on"] = ["These dates overlap another delegation of this person's."]
    if errors or delegate is None:
        raise ValidationFailed(errors)
    return delegate


def _roles_of(user_id: int) -> frozenset[Role]:
    """The task roles ``user_id`` holds in the trust (read fresh, not from a cache)."""
    trust_id = current_trust_id()
    if trust_id is None:
        return frozenset()
    rows = Membership.objects.filter(
        user_id=user_id, trust_id=trust_id, role__in=[r.value for r in TASK_ROLES]
    ).values_list("role", flat=True)
    return frozenset(Role(r) for r in rows)


def _overlapping(person_id: int, starts_on: dt.date, ends_on: dt.date) -> bool:
    return Delegation.objects.filter(
        person_id=person_id,
        ended_at__isnull=True,
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    ).exists()


def delegation_end(*, actor: Actor, delegation_id: int) -> Delegation:
    """End a delegation now (back early, or set in error), audited. The row
    stays: it is the record of who could act for whom, and when."""
    with transaction.atomic():
        found = Delegation.objects.select_for_update().filter(pk=delegation_id).first()
        if found is None:
            raise NotFound("No such delegation.")
        if found.person_id != actor.pk and not has_role(actor, Role.HR_LEAD):
            raise NotAllowed(NOT_YOURS)
        if found.ended_at is None:
            found.ended_at = timezone.now()
            found.save(update_fields=["ended_at"])
            audit_record(
                case=None,
                actor=actor,
                action=DELEGATION_ENDED,
                payload={"person": found.person_id, "delegate": found.delegate_id},
            )
    return found


def delegations_of(person_id: int) -> list[Delegation]:
    """The person's delegations still to come or running (ended ones left out),
    soonest first; a person has few."""
    today = timezone.localdate()
    rows = Delegation.objects.filter(
        person_id=person_id, ended_at__isnull=True, ends_on__gte=today
    ).select_related("delegate")
    return list(rows.order_by("starts_on", "id")[:50])
