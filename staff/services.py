"""Writes about reference data that are not imports: adding a person's login
with a role, linked to their employee record; signing a person in by single
sign-on with exactly the roles their provider groups map to; recording
showings of an employee's ethnic category.

An employee's ethnic category is special-category data (UK GDPR). A case
page records each showing of the case's snapshot through
``audit.services.personal_data_access_record``; an employee's own record has
no case, so its showings are recorded here, with the staff number in their
place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.roles import Role, forget_roles, user_roles
from accounts.services import role_give, roles_take
from accounts.types import Actor
from audit.models import AuditEvent, EventType
from audit.services import audit_record
from core import events
from tenancy.context import trust_entered

from .events import RoleGiven, SsoAuditEvent
from .models import Employee, SsoIdentity


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
    """Create or update a user and give them ``role`` in the trust being acted for.

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
    role_give(user=user, role=role)
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


@transaction.atomic
def user_sso_sign_in(
    *,
    issuer: str,
    subject: str,
    roles: Mapping[int, frozenset[Role]],
    groups_seen: int,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    staff_number: str = "",
) -> Actor | None:
    """Sign in the person the provider names ``subject`` (at ``issuer``),
    giving them exactly ``roles`` in each trust (trust id -> roles): the roles
    their provider groups map to under that trust's role map. Trusts with no
    role map are left as they are (their roles are given by hand).

    The login is found by issuer and subject, never by email; the first
    sign-in creates it, with no usable password. Each sign-in sets the roles
    afresh: each held role is given again through ``user_add`` (so the
    ``RoleGiven`` reactions run, as for ``add_user``) and any other product
    role is taken away, so someone removed from a provider group loses its
    role at their next sign-in.

    With no roles the sign-in is refused (None): the refusal is recorded in
    the audit log with the subject and how many groups the provider sent,
    and a login already known loses every product role. A login switched
    off here (``is_active`` false) is refused too, and recorded, its roles
    left as they are.

    The employee record is linked by ``staff_number``, else by ``email`` when
    exactly one employee has it. A record already linked to another login is
    left alone and the refusal recorded; the person still signs in.
    """
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if not any(roles.values()):
        _sso_refuse(identity, roles, issuer=issuer, subject=subject, groups_seen=groups_seen)
        return None
    if identity is not None and not identity.user.is_active:
        # Switched off here: stays off, roles and all, whatever the provider says.
        _sso_record_refusal(
            identity.user,
            issuer=issuer,
            subject=subject,
            groups_seen=groups_seen,
            reason="switched_off",
        )
        return None
    identity = _sso_identity_touch(identity, issuer=issuer, subject=subject, email=email)
    user = identity.user
    for trust_id, held in sorted(roles.items()):
        with trust_entered(trust_id):
            if not held:
                _roles_keep_only(user, frozenset())
                continue
            # The employee record is the trust's own; one login links to one
            # record (staff.Employee.user), so a later trust's link is refused
            # and recorded while the first stands.
            linked = _sso_employee_link(
                user, staff_number=staff_number, email=email, subject=subject
            )
            for role in sorted(held):
                user = user_add(
                    username=user.get_username(),
                    role=role,
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    staff_number=linked,
                )
            _roles_keep_only(user, held)
    return user


def _sso_refuse(
    identity: SsoIdentity | None,
    roles: Mapping[int, frozenset[Role]],
    *,
    issuer: str,
    subject: str,
    groups_seen: int,
) -> None:
    """Record a refused sign-in; a login already known loses every role that
    single sign-on gives (in each trust with a role map)."""
    if identity is not None:
        for trust_id in sorted(roles):
            with trust_entered(trust_id):
                _roles_keep_only(identity.user, frozenset())
    _sso_record_refusal(
        identity.user if identity is not None else None,
        issuer=issuer,
        subject=subject,
        groups_seen=groups_seen,
        reason="no_role",
    )


def _sso_record_refusal(
    user: Actor | None, *, issuer: str, subject: str, groups_seen: int, reason: str
) -> None:
    audit_record(
        case=None,
        actor=user,
        action=SsoAuditEvent.REFUSED,
        payload={
            "issuer": issuer,
            "subject": subject,
            "groups_seen": groups_seen,
            "reason": reason,
        },
    )


def _sso_identity_touch(
    identity: SsoIdentity | None, *, issuer: str, subject: str, email: str
) -> SsoIdentity:
    """The identity with this sign-in's time; on a first sign-in, a new login
    (no usable password) and its identity."""
    now = timezone.now()
    if identity is None:
        try:
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    username=_sso_username(email, issuer, subject)
                )
                return SsoIdentity.objects.create(
                    issuer=issuer, subject=subject, user=user, first_login_at=now, last_login_at=now
                )
        except IntegrityError:
            # The same person's other first sign-in (a second tab) committed
            # the identity after this one looked: PostgreSQL made this insert
            # wait for it, then refused the duplicate. Carry on with theirs.
            identity = (
                SsoIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=issuer, subject=subject)
                .first()
            )
            if identity is None:
                raise
    identity.last_login_at = now
    identity.save(update_fields=["last_login_at"])
    return identity


def _sso_username(email: str, issuer: str, subject: str) -> str:
    """A new login's username: the email address, readable in the admin, when
    no login has it and it is not a break-glass name (which a sign-in must
    never take before its account is made); otherwise one made from the
    subject. Never reused to find the person again: that is the subject's job."""
    address = email.strip().lower()
    users = get_user_model().objects
    reserved = {name.lower() for name in settings.FTP_BREAK_GLASS_USERNAMES}
    if (
        0 < len(address) <= 150
        and address not in reserved
        and not users.filter(username=address).exists()
    ):
        return address
    digest = hashlib.sha256(f"{issuer}\0{subject}".encode()).hexdigest()[:24]
    return f"sso-{digest}"


def _sso_employee_link(user: Actor, *, staff_number: str, email: str, subject: str) -> str | None:
    """The staff number of the employee record to link ``user`` to, or None.

    Found by staff number, else by email (only when exactly one employee has
    it). A record linked to another login is refused and recorded here; the
    link itself is made by ``user_add``."""
    employee, matched_by = None, ""
    if staff_number:
        employee, matched_by = (
            Employee.objects.filter(staff_number=staff_number).first(),
            "staff_number",
        )
    if employee is None and email:
        found = list(Employee.objects.filter(email__iexact=email.strip())[:2])
        employee, matched_by = (found[0], "email") if len(found) == 1 else (None, "")
    if employee is None:
        return None
    if employee.user_id not in (None, user.pk):
        audit_record(
            case=None,
            actor=user,
            action=SsoAuditEvent.LINK_REFUSED,
            payload={
                "subject": subject,
                "employee": employee.staff_number,
                "matched_by": matched_by,
            },
        )
        return None
    return employee.staff_number


def _roles_keep_only(user: Actor, roles: frozenset[Role]) -> None:
    """Take away every product role of ``user`` not in ``roles``."""
    forget_roles(user)
    dropped = user_roles(user) - roles
    if dropped:
        roles_take(user=user, roles=dropped)
