"""Writes and loops about trusts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

from .context import current_trust_id, trust_entered
from .models import Trust, TrustPolicy

T = TypeVar("T")


@transaction.atomic
def trust_add(*, code: str, name: str, host: str = "", shares_with_region: bool = False) -> Trust:
    """A new trust (``add_trust CODE NAME``)."""
    trust = Trust(code=code, name=name, host=host, shares_with_region=shares_with_region)
    trust.full_clean()
    trust.save()
    return trust


def for_each_trust(work: Callable[[], T]) -> dict[str, T]:
    """Run ``work`` inside each trust in turn, or only in the current one
    when a trust is entered already. Beat's sweeps use this: they are sent
    outside any trust. Returns each trust's result by its code."""
    current = current_trust_id()
    trusts = Trust.objects.order_by("pk")
    if current is not None:
        trusts = trusts.filter(pk=current)
    results: dict[str, T] = {}
    for trust in list(trusts):
        with trust_entered(trust):
            results[trust.code] = work()
    return results


@transaction.atomic
def trust_policy_change(trust: Trust, **values: Any) -> TrustPolicy:
    """Change ``trust``'s policy (the fields named), checked as the admin
    checks it; the trust's cached policy is dropped when it is saved."""
    policy = TrustPolicy.objects.select_for_update().get(trust=trust)
    fields = {f.name for f in TrustPolicy._meta.concrete_fields} - {"trust", "updated_at"}
    unknown = set(values) - fields
    if unknown:
        raise TypeError(f"Not policy fields: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy
