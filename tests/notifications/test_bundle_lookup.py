"""Which bundles of due steps name a case (``bundle_ids_naming``): the same
answer whether the database looks inside the JSON (PostgreSQL, by the
partial GIN index) or the bundles are read and checked (SQLite)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models import Kind, Notification
from notifications.selectors import bundle_ids_naming

from ..db_roles import as_owner
from ..factories import make_user

pytestmark = pytest.mark.django_db

_keys = itertools.count()
case_ids = st.integers(min_value=1, max_value=12)
bundles = st.lists(st.lists(case_ids, min_size=1, max_size=4), max_size=6)


def _bundle(recipient: Any, named: list[int]) -> Notification:
    item = {"kind": Kind.REMINDER, "step": "triage", "due_on": "2026-12-01"}
    return Notification.objects.create(
        event_key=f"bundle-{next(_keys)}",
        recipient=recipient,
        kind=Kind.DUE_STEPS,
        items=[{**item, "case": case_id} for case_id in named],
        created_at=timezone.now(),
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(written=bundles, asked=st.sets(case_ids, max_size=4), json_contains=st.booleans())
def test_the_bundles_found_are_those_naming_a_case_asked_for(
    monkeypatch: pytest.MonkeyPatch, written: list[list[int]], asked: set[int], json_contains: bool
) -> None:
    monkeypatch.setattr(connection.features, "supports_json_field_contains", json_contains)
    with transaction.atomic():
        recipient = make_user(f"reader-{next(_keys)}")
        made = [_bundle(recipient, named) for named in written]
        # A notification of another kind with the same items is never a bundle.
        Notification.objects.create(
            event_key=f"other-{next(_keys)}",
            recipient=recipient,
            kind=Kind.REMINDER,
            items=[{"case": case_id} for case_id in asked],
            created_at=timezone.now(),
        )
        expected = [b.pk for b, named in zip(made, written, strict=True) if asked & set(named)]
        assert bundle_ids_naming(asked) == expected
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_answers_from_the_partial_index() -> None:
    """The partial GIN index answers the containment test. Asked as the
    tables' owner, whom row-level security does not bind: with a handful of
    rows the planner would otherwise read the trust's few rows through the
    trust index (the policy's condition), which says nothing about whether
    the GIN index is usable; at scale a trust's notifications are thousands
    and the GIN index's few matches win."""
    recipient = make_user("reader")
    _bundle(recipient, [1, 2])
    query = Notification._base_manager.filter(kind=Kind.DUE_STEPS, items__contains=[{"case": 2}])
    with as_owner(), transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows would be scanned anyway; forbid it to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "notification_bundle_items" in plan
