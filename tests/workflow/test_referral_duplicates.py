"""Referring an employee who already has an open case, sending the same form
twice, and whom a manager may refer (``referral_submit``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from core.errors import ValidationFailed
from workflow.models import Case
from workflow.services import referral_submit, referral_withdraw
from workflow.services.referrals import AlreadySubmitted

from ..factories import EmployeeFactory, referral_kwargs
from .steps import Event, events, invalid, refused

pytestmark = pytest.mark.django_db

REASON = "A second concern, about a different shift, raised by another colleague."


def test_the_same_key_twice_makes_one_case_and_names_it(cast: Any, employee: Any) -> None:
    key = uuid.uuid4()
    first = referral_submit(actor=cast.manager, submission_key=key, **referral_kwargs(employee))

    again = refused(
        AlreadySubmitted,
        referral_submit,
        actor=cast.manager,
        submission_key=key,
        **referral_kwargs(employee),
    )

    assert isinstance(again, AlreadySubmitted)
    assert again.case == first
    assert first.reference in again.message
    assert Case.objects.count() == 1


def test_the_number_refused_for_a_repeat_is_not_lost(cast: Any, employee: Any) -> None:
    key = uuid.uuid4()
    referral_submit(actor=cast.manager, submission_key=key, **referral_kwargs(employee))
    with pytest.raises(AlreadySubmitted):
        referral_submit(actor=cast.manager, submission_key=key, **referral_kwargs(employee))

    second = referral_submit(
        actor=cast.manager, duplicate_reason=REASON, **referral_kwargs(EmployeeFactory.create())
    )
    assert second.reference.endswith("-00002")


def test_another_managers_key_does_not_find_their_case(cast: Any, employee: Any) -> None:
    key = uuid.uuid4()
    referral_submit(actor=cast.manager, submission_key=key, **referral_kwargs(employee))
    theirs = referral_submit(
        actor=cast.other_manager, submission_key=key, **referral_kwargs(EmployeeFactory.create())
    )
    assert theirs.referring_manager == cast.other_manager
    assert Case.objects.count() == 2


def test_a_form_that_warned_needs_a_reason_for_an_open_case(cast: Any, employee: Any) -> None:
    referral_submit(actor=cast.manager, **referral_kwargs(employee))

    fields = invalid(
        referral_submit,
        actor=cast.other_manager,
        duplicate_needs_reason=True,
        **referral_kwargs(employee),
    )

    assert fields == {"duplicate_reason"}


def test_the_reason_is_kept_on_the_case_and_in_the_path(cast: Any, employee: Any) -> None:
    referral_submit(actor=cast.manager, **referral_kwargs(employee))

    case = referral_submit(
        actor=cast.other_manager,
        duplicate_needs_reason=True,
        duplicate_reason=f"  {REASON}  ",
        **referral_kwargs(employee),
    )

    case.refresh_from_db()
    assert case.duplicate_reason == REASON
    assert events(case) == [Event("submit", "", "submitted", cast.other_manager, REASON)]


def test_no_reason_is_asked_or_kept_once_the_other_case_is_closed(cast: Any, employee: Any) -> None:
    first = referral_submit(actor=cast.manager, **referral_kwargs(employee))
    referral_withdraw(case_id=first.pk, actor=cast.manager, reason="Raised in error.")

    case = referral_submit(
        actor=cast.manager,
        duplicate_needs_reason=True,
        duplicate_reason="Left over from an earlier attempt.",
        **referral_kwargs(employee),
    )

    assert case.duplicate_reason == ""


def test_a_manager_may_not_refer_themselves(cast: Any) -> None:
    me = EmployeeFactory.create(user=cast.manager)
    assert invalid(referral_submit, actor=cast.manager, **referral_kwargs(me)) == {"staff_number"}
    # Another manager may refer them.
    assert referral_submit(actor=cast.other_manager, **referral_kwargs(me)).employee == me


def test_a_reason_alone_does_not_pass_other_errors(cast: Any, employee: Any) -> None:
    referral_submit(actor=cast.manager, **referral_kwargs(employee))
    with pytest.raises(ValidationFailed) as info:
        referral_submit(
            actor=cast.manager,
            duplicate_needs_reason=True,
            **referral_kwargs(employee, summary="Short."),
        )
    assert set(info.value.errors) == {"summary", "duplicate_reason"}
