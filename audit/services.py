from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import AuditEvent


def audit_record(
    *,
    case: Any,
    actor: Any,
    action: str,
    from_stage: str,
    to_stage: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the case's path. Call inside the action's transaction."""
    return AuditEvent.objects.create(
        case=case,
        actor=actor,
        at=timezone.now(),
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        payload=payload or {},
    )


def personal_data_access_record(*, user: Any, case: Any, field: str, channel: str = "web") -> None:
    """Record that ``user`` was shown ``field`` of ``case``'s employee."""
    from .models import PersonalDataAccess

    PersonalDataAccess.objects.create(
        user=user, case=case, field=field, channel=channel, at=timezone.now()
    )
