"""Every write of the notifications app is a service here (``<entity>_<action>``)."""

from .deadlines import (
    deadline_notices_fire,
    deadline_sweep,
    step_notices_on_action,
    step_notices_on_submit,
    step_notices_schedule,
)
from .delivery import deliveries_enqueue, deliveries_not_queued, delivery_send, outbox_sweep
from .digest import digest_build, digests_build
from .history import history_deliveries_settle
from .inbox import (
    notification_mark_read,
    notification_preference_set,
    notifications_mark_all_read,
)
from .meetings import meeting_notify, meeting_seats_notify
from .record import case_action_notify, notifications_record, referral_submitted_notify
from .settle import notices_settle_on_action

__all__ = [
    "case_action_notify",
    "deadline_notices_fire",
    "deadline_sweep",
    "deliveries_enqueue",
    "deliveries_not_queued",
    "delivery_send",
    "digest_build",
    "digests_build",
    "history_deliveries_settle",
    "meeting_notify",
    "meeting_seats_notify",
    "notices_settle_on_action",
    "notification_mark_read",
    "notification_preference_set",
    "notifications_mark_all_read",
    "notifications_record",
    "outbox_sweep",
    "referral_submitted_notify",
    "step_notices_on_action",
    "step_notices_on_submit",
    "step_notices_schedule",
]
