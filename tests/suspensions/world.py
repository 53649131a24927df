"""Helpers shared by the register's tests: a measure recorded through the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from suspensions.models import Suspension
from suspensions.services import suspension_record
from workflow.models import Case

REASON = "Wx7 exclusion: the employee's health condition (asthma) and the allegation's risk."


def record(story: Any, case: Case, *, started_on: dt.date | None = None, **kw: Any) -> Suspension:
    """Record a suspension on ``case`` as HR, decided by the cast's director."""
    suspension_record(
        case_id=case.pk,
        actor=story.cast.hr,
        kind=kw.pop("kind", "suspension"),
        reason=kw.pop("reason", REASON),
        decided_by=kw.pop("decided_by", story.cast.director.pk),
        started_on=started_on or timezone.localdate(),
        **kw,
    )
    return Suspension.objects.get(case=case, lifted_on__isnull=True)
