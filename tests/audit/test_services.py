"""Appending to the log: in the caller's transaction, chained, one per call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from audit.chain import GENESIS, event_hash
from audit.keyring import keyring_from_config
from audit.models import AuditEvent, EventType
from audit.services import audit_export_record, audit_record, personal_data_access_record

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_events_are_numbered_and_each_links_to_the_one_before(appended: Any) -> None:
    events = appended(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert [e.prev_hash for e in events] == [GENESIS, events[0].hash, events[1].hash]


def test_the_stored_hash_is_over_what_a_later_read_returns(cast: Any) -> None:
    event = audit_record(
        case=None,
        actor=cast.hr,
        action="import",
        payload={"when": dt.date(2026, 11, 20), "n": 3},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload == {"when": "2026-11-20", "n": 3}
    assert stored.key_id == settings.FTP_AUDIT_KEYRING.current_id
    assert stored.hash == event_hash(
        key=settings.FTP_AUDIT_KEYRING.current,
        prev_hash=stored.prev_hash,
        case_id=None,
        actor_id=cast.hr.pk,
        at=stored.at,
        action="import",
        from_stage="",
        to_stage="",
        reason="",
        payload=stored.payload,
    )


def test_an_action_that_rolls_back_leaves_no_event(appended: Any) -> None:
    appended(1)
    with pytest.raises(Boom):
        _record_then_fail()
    appended(1)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]


def _record_then_fail() -> None:
    """An action that records its event, then fails and rolls back."""
    with transaction.atomic():
        audit_record(case=None, actor=None, action="import")
        raise Boom


def test_a_showing_of_ethnicity_is_an_event_naming_the_field_not_its_value(story: Any) -> None:
    case = story.submitted()
    personal_data_access_record(
        user=story.cast.hr, case=case, field="employee_ethnic_category", channel="api"
    )
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor, event.case) == (
        EventType.VIEW_SPECIAL_CATEGORY,
        story.cast.hr,
        case,
    )
    assert event.payload == {"field": "employee_ethnic_category", "channel": "api"}
    assert (event.from_stage, event.to_stage) == ("", "")


def test_showings_are_in_the_log_but_not_in_the_path(story: Any) -> None:
    case = story.submitted()
    personal_data_access_record(user=story.cast.hr, case=case, field="employee_ethnic_category")
    assert list(case.events.path().values_list("action", flat=True)) == ["submit"]
    assert case.events.count() == 2


def test_an_export_is_recorded_with_its_filters_and_size(cast: Any) -> None:
    event = audit_export_record(
        actor=cast.hr, fmt="csv", filters={"stage": "panel"}, rows=12, through_seq=40
    )
    assert (event.case, event.actor, event.action) == (None, cast.hr, "export")
    assert event.payload == {
        "format": "csv",
        "filters": {"stage": "panel"},
        "rows": 12,
        "through_seq": 40,
    }


def test_events_are_signed_by_the_current_key_whose_secret_is_stored_nowhere(
    appended: Any, settings: Any
) -> None:
    settings.FTP_AUDIT_KEYRING = keyring_from_config(
        keys=f"2026a={'a' * 40},2026b={'b' * 40}", current_id="2026b", production=False
    )
    event = appended(1)[0]
    stored = AuditEvent.objects.filter(pk=event.pk).values()[0]
    assert stored["key_id"] == "2026b"
    assert not any("b" * 32 in str(value) for value in stored.values())
