"""Every trust's starting support services.

Made when a trust is made (``post_save`` of ``tenancy.Trust``, as its
letters are: ``letters.seed``), and by migration 0001 for trusts made
before. A trust that has services keeps them: seeding never overwrites, and
a trust that switched every service off is not given them back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from tenancy.context import trust_entered
from tenancy.models import Trust

from .defaults import SERVICES
from .models import SupportService


def support_seed(trust: Trust) -> None:
    """Give ``trust`` the default support services if it has none."""
    with trust_entered(trust), transaction.atomic():
        if not SupportService.objects.exists():
            SupportService.objects.bulk_create([SupportService(**values) for values in SERVICES])


def _trust_created(
    sender: Any, instance: Trust, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        support_seed(instance)


def signals_connect() -> None:
    """Called from WellbeingConfig.ready."""
    post_save.connect(_trust_created, sender=Trust, dispatch_uid="wellbeing-seed-new-trust")
