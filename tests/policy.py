"""Tests change the trust's policy as the admin does: checked, then saved."""

from __future__ import annotations

from typing import Any

from tenancy.context import trust_id_required
from tenancy.models import Trust, TrustPolicy
from tenancy.services import trust_policy_change


def policy_set(trust: Trust | None = None, **values: Any) -> TrustPolicy:
    """Set ``values`` on the policy of ``trust`` (default: the trust acted for)."""
    return trust_policy_change(trust or Trust.objects.get(pk=trust_id_required()), **values)
