"""The chains of the audit log: one per trust, and the deployment's (ADR 0020).

The current chain is the current trust's (``tenancy.context``), or outside
any trust the deployment chain (events with no trust). ``for_each_chain``
runs work in every chain, for beat's tasks and ``verify_audit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenancy.context import current_trust_id
from tenancy.models import Trust
from tenancy.services import for_each_trust

from .models import DEPLOYMENT

T = TypeVar("T")


def chain_code() -> str | None:
    """The current chain's trust code, or None for the deployment chain."""
    trust_id = current_trust_id()
    if trust_id is None:
        return None
    return str(Trust.objects.values_list("code", flat=True).get(pk=trust_id))


def chain_label() -> str:
    """The current chain's name in reports: the trust's code, or ``deployment``."""
    return chain_code() or DEPLOYMENT


def for_each_chain(work: Callable[[], T]) -> dict[str, T]:
    """Run ``work`` in the deployment chain and then in each trust's, or only
    in the current trust's when a trust is entered (the deployment chain
    cannot be read from inside a trust). Results by ``chain_label``."""
    if current_trust_id() is not None:
        return for_each_trust(work)
    return {DEPLOYMENT: work(), **for_each_trust(work)}
