"""Writes about users: onboarding with a role, revoking every login."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from panels.models import PoolMember
from staff.models import Employee

from .roles import Role, forget_roles


@transaction.atomic
def user_add(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    staff_number: str | None = None,
    validate: bool = True,
) -> AbstractUser:
    """Create or update a user and give them ``role``.

    Without a password the account cannot log in until one is set (the
    trust's SSO or a reset flow sets it). Passwords are checked with the
    configured validators unless ``validate`` is false (demo data only).

    ``staff_number`` links the login to the person's own employee record
    (``staff.Employee.user``). Panel members need it: the panel rules read
    their org unit, band and line management from it. A record already linked
    to someone else is refused; relinking a user moves their link. A panel
    member with a staff number joins the panel pool.
    """
    User = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": "A username is required."})
    user, _ = User.objects.get_or_create(username=username)
    if password is not None:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    elif not user.has_usable_password() or not user.password:
        user.set_unusable_password()
    user.email = email or user.email
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.save()
    if staff_number is not None:
        _link_employee(user, staff_number.strip())
        if role == Role.PANEL:
            # In the pool from now on; networks, training and absences come
            # from import_panel_pool or the admin.
            PoolMember.objects.get_or_create(user=user)
    user.groups.add(Group.objects.get(name=role.group_name))
    forget_roles(user)
    return user


def _link_employee(user: AbstractUser, staff_number: str) -> None:
    employee = Employee.objects.filter(staff_number=staff_number).first()
    if employee is None:
        raise ValidationError({"staff_number": f"No employee has staff number {staff_number}."})
    if employee.user_id not in (None, user.pk):
        raise ValidationError(
            {"staff_number": f"Employee {staff_number} is already linked to another login."}
        )
    Employee.objects.filter(user_id=user.pk).exclude(pk=employee.pk).update(user=None)
    employee.user_id = user.pk
    employee.save(update_fields=["user"])


@transaction.atomic
def user_logins_revoke(*, user_id: int) -> tuple[int, int]:
    """End every way ``user_id`` is logged in: delete their API tokens and their sessions.

    Called when their password changes or they are deactivated
    (``accounts/signals.py``), inside the transaction that saves the user, so
    a save that rolls back keeps them. Returns (tokens, sessions) deleted.

    Sessions are found only in a database-backed session store; with any other
    store Django still refuses a session after a password change (its auth
    hash no longer matches) or once the user is inactive.
    """
    tokens, _ = AuthToken.objects.filter(user_id=user_id).delete()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store_class, DatabaseSessionStore):
        return tokens, 0
    model = store_class.get_model_class()
    theirs = [
        row.session_key
        for row in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if store_class().decode(row.session_data).get(SESSION_KEY) == str(user_id)
    ]
    for key in theirs:
        store_class(session_key=key).delete()
    return tokens, len(theirs)
