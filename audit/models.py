"""The audit log: one append-only, hash-chained table of everything that happened.

Each trust's events form their own chain, and events outside any trust the
deployment's (``trust`` null); row-level security keeps each chain from
every other trust's connection (migration 0013, ADR 0020).

viewflow's task table is not an audit log (rows are updated in place and
cancellations name nobody), so every service appends here, in its own
transaction: actions and decisions on a case, panel convening, sign-offs,
withdrawals, imports, exports, verification runs, and every showing of
special-category data (ethnicity) to someone.

Rows are never changed or deleted: database triggers refuse UPDATE and
DELETE (migration 0006) and, on PostgreSQL, TRUNCATE (0008), save two
updates they check column by column: chaining a pending event (0009) and
redacting the events of a destroyed case file (0011, ``audit.redaction``); the
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
from django.db.models import F, Q

from tenancy.context import current_trust_id, default_trust_id
from tenancy.models import Trust, TrustOwned

# The deployment chain's name where a trust's code would be (codes are capitals):
# the chain of the events written outside any trust (``trust`` null).
DEPLOYMENT = "deployment"


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
    # A case file destroyed under the retention schedule; its payload lists
    # the case's earlier events it redacted (``audit.redaction``).
    CASE_DESTROYED = "case_destroyed", "Case file destroyed (retention)"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def path(self) -> AuditEventQuerySet:
        """Events that acted on a case at a stage (its path), without the
        showings of personal data and other bookkeeping."""
        return self.exclude(to_stage="")

    def chained(self) -> AuditEventQuerySet:
        """Events already in the chain (a ``seq``); pending ones are not yet."""
        return self.filter(seq__isnull=False)

    def pending(self) -> AuditEventQuerySet:
        """Events committed but not yet chained (``audit.services.audit_sequence``)."""
        return self.filter(seq__isnull=True)

    def oldest_first(self) -> AuditEventQuerySet:
        """Chained events by ``seq``, then pending ones by id: the order they
        will keep once chained is not known yet, but they are the newest."""
        return self.order_by(F("seq").asc(nulls_last=True), "id")

    def newest_first(self) -> AuditEventQuerySet:
        """The reverse of ``oldest_first``: pending events first."""
        return self.order_by(F("seq").desc(nulls_first=True), "-id")

    def head_seq(self) -> int:
        """The last chained ``seq`` (0 for an empty chain): what an export or
        anchor can state it covers. Pending events are not counted."""
        head: int | None = self.chained().order_by("-seq").values_list("seq", flat=True).first()
        return head or 0


class _ChainManager(models.Manager["AuditEvent"]):
    """Reads one chain: the current trust's events, or outside any trust the
    deployment chain's (trust null: sign-ins and other events that happen
    before a trust is entered).

    The row-level security policy (migration 0013) is what guarantees it on
    PostgreSQL; the filter is here so that plans use the trust-first indexes
    (the policy's ``IS NOT DISTINCT FROM`` cannot), and so that SQLite keeps
    the chains apart too."""

    def get_queryset(self) -> models.QuerySet[AuditEvent]:
        queryset = super().get_queryset()
        trust_id = current_trust_id()
        if trust_id is None:
            return queryset.filter(trust__isnull=True)
        return queryset.filter(trust_id=trust_id)


# ``tenancy.models.TrustManager`` with the deployment chain outside a trust
# (it filters nothing there), and the log's own queries.
ChainManager = _ChainManager.from_queryset(AuditEventQuerySet)


class AuditEvent(TrustOwned):
    # The chain the event belongs to: the trust acted for when it was
    # written, or null for the deployment's own chain (events outside any
    # trust). Each chain is verified, anchored and sequenced on its own.
    trust = models.ForeignKey(  # type: ignore[assignment]  # nullable for this model only
        Trust,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        default=default_trust_id,
        editable=False,
    )
    # Chain position within its trust's chain: 1, 2, 3 ... with no gaps,
    # assigned under that chain's lock. Null while the event is pending:
    # committed, sealed, but not yet chained by ``audit.services.audit_sequence``
    # (ADR 0016). Unique per chain (the constraints below); the unique
    # indexes allow any number of nulls.
    seq = models.BigIntegerField(null=True, blank=True)
    # Empty while pending.
    prev_hash = models.CharField(max_length=64, blank=True)
    # The chain hash; while pending, the event's seal (``audit.chain.event_seal``).
    hash = models.CharField(max_length=64)
    # The id (never the secret) of the key that signed ``hash`` (or the seal);
    # null for the unkeyed version-1 events written before migration 0007.
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
    # Set when the event's reason and payload were blanked because its case
    # file was destroyed (``audit.redaction``); its hash no longer matches its
    # content and is trusted because a later ``case_destroyed`` event of its
    # case lists it, with the fingerprint of what it kept (``audit.chain``).
    redacted_at = models.DateTimeField(null=True, blank=True)

    # (TrustOwned declares ``objects`` a class variable of any manager.)
    objects = ChainManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = [F("seq").asc(nulls_last=True), "id"]
        constraints = [
            # One position per chain: a fork could not be stored. Two partial
            # indexes because a null trust (the deployment chain) is never
            # equal to another in a composite unique index.
            models.UniqueConstraint(
                fields=["trust", "seq"], condition=Q(trust__isnull=False), name="audit_trust_seq"
            ),
            models.UniqueConstraint(
                fields=["seq"], condition=Q(trust__isnull=True), name="audit_deployment_seq"
            ),
        ]
        indexes = [
            # Trust first in every index a page or the sequencer reads (ADR 0020).
            # The sequencer's look for pending events: small, as they are chained at once.
            models.Index(
                fields=["trust", "id"], condition=Q(seq__isnull=True), name="audit_pending"
            ),
            models.Index(fields=["case", "at"], name="audit_case_at"),
            models.Index(fields=["trust", "actor", "seq"], name="audit_actor_seq"),
            models.Index(fields=["trust", "action", "seq"], name="audit_action_seq"),
            models.Index(fields=["trust", "at"], name="audit_at"),
            # Audit search, newest first, by person or by type (docs/performance.md).
            models.Index(fields=["trust", "actor", "-at", "-id"], name="audit_actor_at"),
            models.Index(fields=["trust", "action", "-at", "-id"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else f"pending id={self.pk}"
        if self.to_stage:
            return f"{where} {self.action} {self.from_stage or '-'} -> {self.to_stage}"
        return f"{where} {self.action}"

    @property
    def pending(self) -> bool:
        """Committed but not yet chained (no ``seq``)."""
        return self.seq is None

    @property
    def type_label(self) -> str:
        return _RECORDED_ACTIONS.get(self.action) or dict(event_type_choices()).get(
            self.action, self.action
        )


# The actions other apps record here, as (value, label): registered at
# start-up by the app that owns them (the case engine registers its actions
# in ``WorkflowConfig.ready``), so the log labels and searches them without
# importing the apps above it.
_RECORDED_ACTIONS: dict[str, str] = {}


# Registered actions the case engine's explorer never lists, searches or
# exports (Freedom to Speak Up's, speakup/: nothing of a concern reaches
# anyone but the guardians). They stay in the chain like any other event.
_PRIVATE_ACTIONS: set[str] = set()


def register_event_types(types: Iterable[tuple[str, str]], *, private: bool = False) -> None:
    """Name the actions an app records in the log, in the order it lists them;
    ``private``: kept out of the explorer, its search and its exports."""
    for value, label in types:
        if _RECORDED_ACTIONS.get(value, label) != label:
            raise ValueError(f"Event type {value!r} is already registered as another label.")
        _RECORDED_ACTIONS[value] = label
        if private:
            _PRIVATE_ACTIONS.add(value)


def private_actions() -> frozenset[str]:
    """The registered actions the explorer leaves out (``register_event_types``)."""
    return frozenset(_PRIVATE_ACTIONS)


def event_type_choices() -> list[tuple[str, str]]:
    """Every event type and its label: a submission, the actions apps registered
    (a new action is searchable without touching this app), then the log's own."""
    return [
        (EventType.SUBMIT.value, EventType.SUBMIT.label),
        *[(v, label) for v, label in _RECORDED_ACTIONS.items() if v not in _PRIVATE_ACTIONS],
        *[(t.value, str(t.label)) for t in EventType if t != EventType.SUBMIT],
    ]
