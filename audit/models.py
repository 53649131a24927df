"""The audit log: one append-only, hash-chained table of everything that happened.

viewflow's task table is not an audit log (rows are updated in place and
cancellations name nobody), so every service appends here, in its own
transaction: actions and decisions on a case, panel convening, sign-offs,
withdrawals, imports, exports, verification runs, and every showing of
special-category data (ethnicity) to someone.

Rows are never changed or deleted: database triggers refuse UPDATE and
DELETE (migration 0006) and, on PostgreSQL, TRUNCATE (0008), and the
database role the application runs as needs only INSERT and SELECT here
(README). Each row's ``hash`` chains it to the row before under a key the
database never sees (``audit.chain``), so a change made around the triggers
shows up in ``manage.py verify_audit``, and anchors kept outside the
database show a cut or recomputed log (``audit.anchors``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class EventType(models.TextChoices):
    """What an event records, besides the actions on a case (each
    action an app registers with ``register_event_types`` is one too)."""

    SUBMIT = "submit", "Referral submitted"
    REMINDER_SENT = "reminder_sent", "Reminder sent"
    ESCALATION_SENT = "escalation_sent", "Escalation sent"
    NOTIFICATION_SENT = "notification_sent", "Notification sent"
    VIEW_SPECIAL_CATEGORY = "view_special_category", "Special-category data shown"
    IMPORT = "import", "Reference data imported"
    EXPORT = "export", "Audit log exported"
    VERIFY = "verify_audit", "Audit chain verified"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def path(self) -> AuditEventQuerySet:
        """Events that acted on a case at a stage (its path), without the
        showings of personal data and other bookkeeping."""
        return self.exclude(to_stage="")


class AuditEvent(models.Model):
    # Chain position: 1, 2, 3 ... with no gaps, assigned under a lock.
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The id (never the secret) of the key that signed ``hash``; null for the
    # unkeyed version-1 events written before migration 0007.
    key_id = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001

    # Null for events about no one case: imports, exports, verification runs.
    case = models.ForeignKey(
        "workflow.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField(max_length=48)
    # Blank on both for events that do not move a case (see EventType).
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["case", "at"], name="audit_case_at"),
            models.Index(fields=["actor", "seq"], name="audit_actor_seq"),
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        if self.to_stage:
            return f"#{self.seq} {self.action} {self.from_stage or '-'} -> {self.to_stage}"
        return f"#{self.seq} {self.action}"

    @property
    def type_label(self) -> str:
        return dict(event_type_choices()).get(self.action, self.action)


# The actions other apps record here, as (value, label): registered at
# start-up by the app that owns them (the case engine registers its actions
# in ``WorkflowConfig.ready``), so the log labels and searches them without
# importing the apps above it.
_RECORDED_ACTIONS: dict[str, str] = {}


def register_event_types(types: Iterable[tuple[str, str]]) -> None:
    """Name the actions an app records in the log, in the order it lists them."""
    for value, label in types:
        if _RECORDED_ACTIONS.get(value, label) != label:
            raise ValueError(f"Event type {value!r} is already registered as another label.")
        _RECORDED_ACTIONS[value] = label


def event_type_choices() -> list[tuple[str, str]]:
    """Every event type and its label: a submission, the actions apps registered
    (a new action is searchable without touching this app), then the log's own."""
    return [
        (EventType.SUBMIT.value, EventType.SUBMIT.label),
        *_RECORDED_ACTIONS.items(),
        *[(t.value, str(t.label)) for t in EventType if t != EventType.SUBMIT],
    ]
