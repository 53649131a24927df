"""Notifications, their delivery log (the outbox) and the deadline schedule.

* ``Notification``: one event for one person ("case FTP-2026-00012 moved on",
  "triage is due on Friday"). Unique on (event key, recipient).
* ``Delivery``: that notification over one channel. Unique on (notification,
  channel): the delivery log. Rows are written in the case
  action's transaction with status ``pending``, so they survive a dead broker:
  they are the outbox that beat sweeps.
* ``ScheduledNotice``: a reminder or escalation due on a date for one step
  spell (``workflow.CaseStep``), until it fires. The sweep reads only the rows
  due by today, through an index on the date: its cost follows what is due,
  not what is open.
* ``NotificationPreference``: immediate emails or a daily digest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenancy.models import TrustOwned


class Kind(models.TextChoices):
    SUBMITTED = "submitted", "Referral submitted"
    CASE_MOVED = "case_moved", "Your case moved on"
    PANEL_CONVENED = "panel_convened", "Asked to sit on a panel"
    SIGNOFF_WAITING = "signoff_waiting", "Sign-off waiting"
    REMINDER = "reminder", "Reminder: a step is due"
    OVERDUE_HR = "overdue_hr", "Due today: HR lead asked to follow up"
    OVERDUE_DECISION_MAKER = "overdue_dm", "Overdue: escalated to decision-makers"
    DIGEST = "digest", "Daily digest"
    # Several of the above for one person from one sweep, in one message.
    DUE_STEPS = "due_steps", "Steps needing attention"
    # The weekly retention review: case files that fell due for destruction (records/).
    RETENTION_DUE = "retention_due", "Case files due for destruction"
    # The quarterly early warning: units and managers newly in alert (reports/).
    EARLY_WARNING = "early_warning", "New early-warning alerts"
    # Freedom to Speak Up (speakup/): to guardians, and to a reporter who signed in.
    CONCERN_RAISED = "concern_raised", "A concern was raised"
    CONCERN_ACK_DUE = "concern_ack_due", "Reminder: acknowledge a concern"
    CONCERN_ACK_OVERDUE = "concern_ack_overdue", "Overdue: a concern is not acknowledged"
    CONCERN_REPLY = "concern_reply", "A guardian replied about your concern"
    # Action plans (assurance/): actions past their due date, to their owners.
    ACTION_OVERDUE = "action_overdue", "Overdue actions"
    # Panel meetings (panels.meetings): each carries the calendar invitation.
    MEETING_INVITE = "meeting_invite", "Invited to a panel meeting"
    MEETING_UPDATE = "meeting_update", "A panel meeting changed"
    MEETING_CANCELLED = "meeting_cancelled", "A panel meeting was cancelled"
    # The employee's voice and wellbeing (voice/, wellbeing/): to the case
    # owner when the employee's account arrives by their link, and to the
    # named wellbeing contact when a check-in is due.
    ACCOUNT_RECEIVED = "account_received", "The employee's account arrived"
    WELLBEING_CHECKIN = "wellbeing_checkin", "A wellbeing check-in is due"
    # The suspension register (suspensions/): a review's reminder, HR leads
    # on its due date, decision-makers after it, as for a step's deadline.
    SUSPENSION_REVIEW_DUE = "suspension_due", "Reminder: a suspension review is due"
    SUSPENSION_REVIEW_OVERDUE = "suspension_overdue", "Due today: a suspension review"
    SUSPENSION_ESCALATED = "suspension_escalated", "Overdue: a suspension review"
    # The formal process (formal/): to the person named as investigator,
    # hearing chair or appeal hearer.
    FORMAL_NAMED = "formal_named", "Named in a formal process"

    @classmethod
    def meeting_kinds(cls) -> list[str]:
        """The kinds whose email carries the meeting's .ics (``items[0]["meeting"]``)."""
        return [cls.MEETING_INVITE, cls.MEETING_UPDATE, cls.MEETING_CANCELLED]

    @classmethod
    def deadline_kinds(cls) -> list[str]:
        """The kinds a scheduled notice has (``DUE_STEPS`` bundles them)."""
        return [cls.REMINDER, cls.OVERDUE_HR, cls.OVERDUE_DECISION_MAKER]


class Channel(models.TextChoices):
    INAPP = "inapp", "In the app"
    EMAIL = "email", "Email"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Send each email as it happens"
    DIGEST = "digest", "One email a day with everything"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent (leased)"
    SENT = "sent", "Sent"
    HELD = "held", "Held for the daily digest"
    FAILED = "failed", "Gave up after retries"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    email_mode = models.CharField(
        max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_mode}"


class Notification(TrustOwned):
    event_key = models.CharField(max_length=120)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # Null only for a digest, which is about many cases. Indexed by
    # ``notification_case`` (case first): a second index on the case alone
    # would only slow every insert (the sweep writes a thousand at a time).
    case = models.ForeignKey(
        "workflow.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )
    step = models.CharField(max_length=16, blank=True)
    due_on = models.DateField(null=True, blank=True)
    # A ``DUE_STEPS`` bundle's steps, soonest due first: each a dict of
    # ``case`` (id), ``kind`` (a deadline kind), ``step`` and ``due_on``
    # (ISO date). A ``RETENTION_DUE`` review's files: each a dict of ``case``
    # (id) and ``reference``, and a last ``{"more": true}`` if there were too
    # many to list. Empty for every other kind. A snapshot of what the message
    # said, like the audit trail's payloads: one row per person per sweep
    # rather than one per notice (issue 14).
    items = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    # Set by the in-app channel when it delivers: the list shows these only.
    shown_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The digest email that carried this notification's email.
    # Indexed only where set (``notification_digest``): most rows have none.
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bundled",
        db_index=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Per trust: a person with roles in two trusts gets each trust's
            # notice of the same kind of event (its digest, say) in each.
            models.UniqueConstraint(
                fields=["trust", "event_key", "recipient"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-shown_at"],
                name="notification_inbox",
                condition=models.Q(shown_at__isnull=False),
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(shown_at__isnull=False, read_at__isnull=True),
            ),
            models.Index(fields=["case", "created_at"], name="notification_case"),
            models.Index(
                fields=["digest"],
                name="notification_digest",
                condition=models.Q(digest__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id} ({self.event_key})"


class Delivery(TrustOwned):
    """One notification over one channel: the delivery log and the outbox.

    ``attempts`` doubles as a fencing token: a sender may only mark as sent
    the attempt it claimed, so a sender whose lease ran out cannot overwrite
    the record of the one that took over.
    """

    # Who and which event are the notification's: a delivery repeats
    # neither, so a sweep writing two thousand deliveries checks one foreign
    # key each, not two. Indexed by ``delivery_once_per_channel``.
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # Pending: when to try (again). Sending: when the sender's lease ends.
    next_try_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The exception's class name only: messages may quote addresses.
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_try_at"],
                name="delivery_outbox",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            # The emails held for digests not yet sent: a day's worth at most.
            models.Index(
                fields=["notification"], name="delivery_held", condition=models.Q(status="held")
            ),
            # The failed deliveries metric (ops/): a count over the failed
            # rows alone, never the whole delivery log. docs/performance.md.
            models.Index(
                fields=["id"], name="delivery_failed", condition=models.Q(status="failed")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.status} (notification {self.notification_id})"


class ScheduledNotice(TrustOwned):
    """A reminder or escalation for one step spell, due on ``fire_on``.

    A queue of what is still to fire: the sweep deletes each notice as it
    fires it, and closing a step deletes its notices. What was sent is on
    record in the notifications and the case's audit trail; a notice row
    would only repeat it (and marking rows fired, rather than deleting
    them, cost the sweep three times as much per notice: issue 14).
    """

    # Indexed by ``notice_once_per_step`` (step first).
    step = models.ForeignKey(
        "workflow.CaseStep", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    fire_on = models.DateField()

    class Meta:
        ordering = ["fire_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "kind"], name="notice_once_per_step"),
        ]
        indexes = [
            models.Index(fields=["fire_on", "id"], name="notice_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for step {self.step_id} on {self.fire_on}"
