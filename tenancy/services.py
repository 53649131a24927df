"""Writes and loops about trusts."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

from .context import current_trust_id, trust_entered
from .models import Trust

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
