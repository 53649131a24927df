"""What the staff directory announces (published through ``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import Role
from accounts.types import Actor


@dataclass(frozen=True)
class RoleGiven:
    """``user_add`` gave ``user`` the ``role``, and linked the employee record with
    ``staff_number`` when one was given (None: none given). Published inside
    ``user_add``'s transaction; apps above react (a panel member with a staff
    number joins the panel pool: ``panels.receivers``)."""

    user: Actor
    role: Role
    staff_number: str | None
