"""What a trust's policy may hold, and the checks on it: pure, no database.

``tenancy`` sits below every app whose rules the policy feeds (panels,
workflow, staff), so the few lists the checks need are kept here rather than
imported from above; tests/tenancy/test_policy.py holds each equal to its
source. The checks are those config/settings.py makes of the environment's
values, so a trust's policy can hold nothing the environment could not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Agenda for Change bands, lowest first (panels.rules.BANDS).
BANDS = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
# Steps of the flow that carry a time limit, in working days (workflow.deadlines).
STEPS = (
    "triage",
    "resubmit",
    "informal",
    "convene",
    "decide",
    "signoff",
    # After sign-off, the formal process (formal/, docs/formal-process.md).
    "investigate",
    "hearing",
    "appeal",
)
# A closed case file's classes in the retention schedule (records.retention).
RETENTION_CLASSES = ("no_formal", "formal")
# The roles a provider's group may give (accounts.roles.Role values): every
# role, since a sign-in sets the roles afresh and takes away any the map does
# not give (staff.services.user_sso_sign_in): an HR lead or a guardian given
# the role by hand would lose it at their next sign-in.
SSO_ROLES = (
    "manager",
    "hr",
    "hr_lead",
    "panel",
    "decision_maker",
    "governance",
    "staff",
    "ftsu_guardian",
)
# Bank-holiday lists (the ``holidays`` library's subdivisions of GB).
BANK_HOLIDAY_REGIONS = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}
WRES_WINDOWS = (1, 2)
# A reference is PREFIX-YYYY-NNNNN in a 32-character column: a prefix of up to
# 16 capitals and digits (a hyphen inside) leaves room for any year's count.
REFERENCE_PREFIX = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,14}[A-Z0-9])?$")
REFERENCE_PREFIX_MAX = 16
# A provider's group name: what SSO sends (staff.sso keeps groups as strings).
GROUP_MAX = 200

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def panel_errors(
    *,
    min_members: int,
    max_members: int,
    min_independent: int,
    min_outside_icsu: int,
    min_network: int,
) -> Errors:
    """The checks config/settings.py makes of the panel sizes, by field."""
    errors: Errors = {}
    if max_members < min_members:
        _add(errors, "panel_max_members", "Must not be below the minimum number of members.")
    for field, value in (
        ("panel_min_independent", min_independent),
        ("panel_min_outside_icsu", min_outside_icsu),
        ("panel_min_network", min_network),
    ):
        if value > max_members:
            _add(errors, field, "Cannot exceed the maximum number of members.")
    return errors


def day_map_errors(value: Any, keys: tuple[str, ...], *, what: str) -> list[str]:
    """A map of every one of ``keys`` (and no other) to a whole number >= 1."""
    if not isinstance(value, Mapping):
        return [f"Give {what} as an object: {{{', '.join(f'{k!r}: 5' for k in keys[:2])}, …}}."]
    messages = []
    unknown = sorted(set(value) - set(keys))
    if unknown:
        messages.append(f"Unknown: {', '.join(map(str, unknown))} (known: {', '.join(keys)}).")
    missing = [k for k in keys if k not in value]
    if missing:
        messages.append(f"Missing: {', '.join(missing)}.")
    for key in keys:
        number = value.get(key)
        if key in value and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
            messages.append(f"{key} must be a whole number of at least 1, not {number!r}.")
    return messages


def role_map_errors(value: Any) -> list[str]:
    """Provider group -> list of role values: each group a non-empty name,
    each role known (a misspelt role must not silently give nothing)."""
    if not isinstance(value, Mapping):
        return ['Give the role map as an object: {"provider group": ["hr", …]}.']
    messages = []
    for group, roles in value.items():
        if not isinstance(group, str) or not group.strip() or len(group) > GROUP_MAX:
            messages.append(f"Group {group!r} must be a name of 1 to {GROUP_MAX} characters.")
        if not isinstance(roles, list) or not roles:
            messages.append(f"Group {group!r} must map to a list of one or more roles.")
            continue
        for role in roles:
            if role not in SSO_ROLES:
                messages.append(
                    f"Group {group!r}: {role!r} is not a role (one of {', '.join(SSO_ROLES)})."
                )
    return messages


def role_map_stored(role_map: Mapping[str, Any]) -> dict[str, list[str]]:
    """The environment's map (group -> set of roles) as the policy stores it."""
    return {group: sorted(roles) for group, roles in sorted(role_map.items())}
