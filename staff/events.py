"""What the staff directory announces (published through ``core.events``), and
what its single sign-on records in the audit log."""

from __future__ import annotations

import enum
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


class SsoAuditEvent(enum.StrEnum):
    """What single sign-on records in the audit log (registered with it in
    ``StaffConfig.ready``). Payloads carry the provider's subject and counts,
    never a name or an address."""

    REFUSED = "sso_refused"
    LINK_REFUSED = "sso_link_refused"
    # A password login while passwords are off: a break-glass account
    # (``staff.break_glass``). Payload: the door (web, admin, api).
    BREAK_GLASS_LOGIN = "break_glass_login"

    @property
    def label(self) -> str:
        return SSO_AUDIT_LABELS[self]


SSO_AUDIT_LABELS: dict[SsoAuditEvent, str] = {
    SsoAuditEvent.REFUSED: "Single sign-on refused: no role here",
    SsoAuditEvent.LINK_REFUSED: "Single sign-on: employee record linked to another login",
    SsoAuditEvent.BREAK_GLASS_LOGIN: "Break-glass login with a password",
}
