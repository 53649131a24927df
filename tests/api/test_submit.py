"""Submitting a referral through the API: a retry with the same key makes no
second case, and a reason for referring someone again is kept."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from audit.models import AuditEvent
from workflow.models import Case

from .steps import Api, ok

pytestmark = pytest.mark.django_db

REASON = "A second concern on another ward, a week after the first."


def test_the_same_submission_key_twice_makes_one_referral(cast: Any, employee: Any) -> None:
    manager = Api.as_user(cast.manager)
    key = str(uuid.uuid4())

    first = ok(manager.submit(employee, submission_key=key), 201)
    again = ok(manager.submit(employee, submission_key=key), 200)

    assert again["id"] == first["id"]
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_a_new_key_is_a_new_referral(cast: Any, employee: Any) -> None:
    manager = Api.as_user(cast.manager)
    first = ok(manager.submit(employee, submission_key=str(uuid.uuid4())), 201)
    second = ok(manager.submit(employee, submission_key=str(uuid.uuid4())), 201)
    assert first["id"] != second["id"]


def test_another_managers_key_is_theirs_alone(cast: Any, employee: Any) -> None:
    key = str(uuid.uuid4())
    ok(Api.as_user(cast.manager).submit(employee, submission_key=key), 201)
    ok(Api.as_user(cast.other_manager).submit(employee, submission_key=key), 201)
    assert Case.objects.count() == 2


def test_a_reason_for_referring_again_is_kept_only_when_a_referral_is_open(
    cast: Any, employee: Any
) -> None:
    manager = Api.as_user(cast.manager)
    first = ok(manager.submit(employee, duplicate_reason=REASON), 201)
    second = ok(manager.submit(employee, duplicate_reason=REASON), 201)

    assert Case.objects.get(pk=first["id"]).duplicate_reason == ""
    assert Case.objects.get(pk=second["id"]).duplicate_reason == REASON
    event = AuditEvent.objects.get(case_id=second["id"], action="submit")
    assert event.reason == REASON


@pytest.mark.parametrize("key", ["not-a-uuid", "", "1" * 200])
def test_a_bad_submission_key_is_a_400_naming_it(cast: Any, employee: Any, key: str) -> None:
    response = Api.as_user(cast.manager).submit(employee, submission_key=key)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["submission_key"]
    assert Case.objects.count() == 0
