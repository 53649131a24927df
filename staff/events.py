"""What the staff directory announces (published through ``core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser

from accounts.roles import Role


@dataclass(frozen=True)
class RoleGiven:
    """``user_add`` gave ``user`` the ``role``, and linked the employee record with
    ``staff_number`` when one was given (None: none given). Published inside
    ``user_add``'s transaction; apps above react (a panel member with a staff
    number joins the panel pool: ``panels.receivers``)."""

    user: AbstractUser
    role: Role
    staff_number: str | None
