"""Every action on a case is one function here (or in ``panels.services``).

Each takes keyword-only arguments, runs in one transaction, checks the
actor's role and relation, the case's stage, and the input, then writes,
moves the flow and appends an audit event. Errors are ``core.errors``.

``ACTION_SERVICES`` is the one table of which service takes which action:
the web forms and the API bodies look the service up there, so a door
cannot pair an action with a different function. The engine's own services
are in it from the start; a stage that plugs into the engine adds its own
with ``register_services`` when its app is ready (``panels.apps``), so the
engine never imports the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

from ..models import Case
from ..rules import Action
from .referrals import referral_resubmit, referral_submit, referral_withdraw
from .signoff import case_signoff
from .triage import case_record_informal_outcome, case_triage

# Each service is called as ``service(case_id=..., actor=..., **input)`` and
# returns the case as it left it.
ActionService = Callable[..., Case]

_SERVICES: dict[Action, ActionService] = {
    Action.TRIAGE: case_triage,
    Action.RESUBMIT: referral_resubmit,
    Action.RECORD_INFORMAL_OUTCOME: case_record_informal_outcome,
    Action.SIGNOFF: case_signoff,
    Action.WITHDRAW: referral_withdraw,
}

# Read-only: only ``register_services`` adds to it.
ACTION_SERVICES: Mapping[Action, ActionService] = MappingProxyType(_SERVICES)


def register_services(mapping: Mapping[Action, ActionService]) -> None:
    """Add a stage's services to ``ACTION_SERVICES``.

    Each action has exactly one service, whichever app declares it: another
    service for an action that has one is refused, so two apps cannot both
    claim it. Registering the same service again does nothing (``ready()``
    may run more than once in tests), as ``workflow.rules.register_rules``.
    """
    taken = sorted(str(a) for a, service in mapping.items() if _SERVICES.get(a, service) != service)
    if taken:
        raise ImproperlyConfigured(f"These actions already have a service: {', '.join(taken)}.")
    _SERVICES.update(mapping)


# The services only (tests/audit/test_every_service.py runs each one found here);
# the table and its registration are imported by name.
__all__ = [
    "case_record_informal_outcome",
    "case_signoff",
    "case_triage",
    "referral_resubmit",
    "referral_submit",
    "referral_withdraw",
]
