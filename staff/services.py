"""Writes about reference data that are not imports: adding a person's login
with a role, linked to their employee record; recording showings of an
employee's ethnic category.

An employee's ethnic category is special-category data (UK GDPR). A case
page records each showing of the case's snapshot through
``audit.services.personal_data_access_record``; an employee's own record has
no case, so its showings are recorded here, with the staff number in their
place.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.roles import Role, forget_roles
from accounts.types import Actor
from audit.models import AuditEvent, EventType
from audit.services import audit_record
from core import events

from .events import RoleGiven
from .models import Employee


def employee_special_category_access_record(
    *, actor: Actor, employee: Employee, field: str = "ethnic_category", channel: str = "admin"
) -> AuditEvent:
    """Record that ``actor`` was shown ``field`` of ``employee``'s record.

    The event names the field and the staff number, never the value, so the
    audit log (and its exports) carry no ethnicity.
    """
    with transaction.atomic():
        return audit_record(
            case=None,
            actor=actor,
            action=EventType.VIEW_SPECIAL_CATEGORY,
            payload={"field": field, "employee": employee.staff_number, "channel": channel},
        )


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
) -> Actor:
    """Create or update a user and give them ``role``.

    Without a password the account cannot log in until one is set (the
    trust's SSO or a reset flow sets it). Passwords are checked with the
    configured validators unless ``validate`` is false (demo data only).

    ``staff_number`` links the login to the person's own employee record
    (``staff.Employee.user``). Panel members need it: the panel rules read
    their org unit, band and line management from it. A record already linked
    to someone else is refused; relinking a user moves their link.

    Then ``RoleGiven`` is published, in this transaction, for the apps that
    react (a panel member with a staff number joins the panel pool:
    ``panels.receivers``).
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
        staff_number = staff_number.strip()
        _link_employee(user, staff_number)
    user.groups.add(Group.objects.get(name=role.group_name))
    forget_roles(user)
    events.publish(RoleGiven(user=user, role=role, staff_number=staff_number))
    return user


def _link_employee(user: Actor, staff_number: str) -> None:
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
