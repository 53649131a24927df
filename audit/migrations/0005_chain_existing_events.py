"""Fold the personal-data access log into the audit log and chain every event.

Each ``PersonalDataAccess`` row becomes a ``view_special_category`` event
(payload: field and channel; never the value shown). Then every event, old
and folded, is numbered in time order and hashed into the chain as
``audit.services.audit_record`` wrote it then: version 1, unkeyed (frozen in
``audit.chain.unkeyed_event_hash``; events appended after 0007 are keyed).
"""

from django.db import migrations

from audit.chain import GENESIS, normalise_payload, unkeyed_event_hash

VIEW = "view_special_category"
BATCH = 1000


def fold_accesses(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Access = apps.get_model("audit", "PersonalDataAccess")
    rows = Access.objects.order_by("at", "id").iterator(chunk_size=BATCH)
    batch = []
    for row in rows:
        batch.append(
            AuditEvent(
                case_id=row.case_id,
                actor_id=row.user_id,
                at=row.at,
                action=VIEW,
                payload={"field": row.field, "channel": row.channel},
            )
        )
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)


def chain_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev, batch = GENESIS, []
    for seq, event in enumerate(AuditEvent.objects.order_by("at", "id").iterator(BATCH), 1):
        event.payload = normalise_payload(event.payload)
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = unkeyed_event_hash(
            prev_hash=prev,
            case_id=event.case_id,
            actor_id=event.actor_id,
            at=event.at,
            action=event.action,
            from_stage=event.from_stage,
            to_stage=event.to_stage,
            reason=event.reason,
            payload=event.payload,
        )
        batch.append(event)
        if len(batch) >= BATCH:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "payload"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash", "payload"])


def forward(apps, schema_editor):
    fold_accesses(apps, schema_editor)
    chain_events(apps, schema_editor)


def backward(apps, schema_editor):
    """Put the showings back in their own table; the chain columns go with 0004."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Access = apps.get_model("audit", "PersonalDataAccess")
    views = AuditEvent.objects.filter(action=VIEW)
    Access.objects.bulk_create(
        Access(
            user_id=e.actor_id,
            case_id=e.case_id,
            at=e.at,
            field=e.payload.get("field", ""),
            channel=e.payload.get("channel", "web"),
        )
        for e in views.iterator(BATCH)
    )
    views.delete()
    AuditEvent.objects.update(seq=None, prev_hash="", hash="")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_columns")]

    operations = [migrations.RunPython(forward, backward)]
