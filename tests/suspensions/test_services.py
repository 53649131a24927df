"""Recording, reviewing and lifting a measure: who may, with what, and what
the record keeps (ids, kind, dates and the reason's SHA-256, never its text)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, NotAllowed, ValidationFailed
from core.working_days import add_working_days
from suspensions.models import Suspension, SuspensionReview
from suspensions.services import (
    CLOSE_REASON,
    LIFTED_WITH_CASE,
    suspension_lift,
    suspension_record,
    suspension_review,
)
from tenancy.policy import trust_policy
from workflow.models import Case
from workflow.services import referral_withdraw

from ..policy import policy_set
from ..workflow.steps import Story, fresh
from .world import REASON, record

pytestmark = pytest.mark.django_db


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_hr_records_a_suspension_due_for_review_after_the_trust_s_working_days(
    story: Story,
) -> None:
    policy_set(suspension_review_working_days=15)
    case = story.informal()
    today = timezone.localdate()
    measure = record(story, case)
    region = trust_policy().bank_holiday_region
    assert measure.review_every == 15
    assert measure.review_due_on == add_working_days(today, 15, region)
    assert (measure.decided_by, measure.recorded_by) == (story.cast.director, story.cast.hr)
    assert measure.next_notice_on == today
    assert fresh(case).version == case.version + 1
    event = AuditEvent.objects.get(case=case, action="record_suspension")
    assert event.reason == ""
    assert event.payload["suspension"] == measure.pk
    assert event.payload["kind"] == "suspension"
    assert event.payload["reason_sha256"] == _sha(REASON)
    assert "asthma" not in str(event.payload)


def test_a_later_policy_change_does_not_move_a_recorded_measure(story: Story) -> None:
    case = story.informal()
    measure = record(story, case)
    policy_set(suspension_review_working_days=5)
    assert Suspension.objects.get(pk=measure.pk).review_every == 20


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decided_by": "manager"}, "decided_by"),
        ({"decided_by": 999_999}, "decided_by"),
        ({"decided_by": "x"}, "decided_by"),
        ({"kind": "sacked"}, "kind"),
        ({"reason": "  "}, "reason"),
        ({"started_on": "tomorrow"}, "started_on"),
        ({"started_on": "not a date"}, "started_on"),
        ({"started_on": "before"}, "started_on"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    story: Story, change: dict[str, Any], field: str
) -> None:
    case = story.informal()
    values = {
        "kind": "restriction",
        "reason": REASON,
        "decided_by": story.cast.director.pk,
        "started_on": timezone.localdate(),
    }
    values.update(change)
    if values["decided_by"] == "manager":
        values["decided_by"] = story.cast.manager.pk
    if values["started_on"] == "tomorrow":
        values["started_on"] = timezone.localdate() + dt.timedelta(days=1)
    if values["started_on"] == "before":
        values["started_on"] = timezone.localdate(case.submitted_at) - dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        suspension_record(case_id=case.pk, actor=story.cast.hr, **values)
    assert set(caught.value.errors) == {field}
    assert not Suspension.objects.exists()


def test_the_referring_manager_cannot_be_the_decision_maker(story: Story, extras) -> None:
    case = story.informal(manager=extras.manager_dm)
    with pytest.raises(ValidationFailed) as caught:
        record(story, case, decided_by=extras.manager_dm.pk)
    assert caught.value.errors["decided_by"] == [
        "The referring manager cannot be the one who decided the measure."
    ]


def test_only_an_hr_adviser_independent_of_the_case_records_one(story: Story, extras) -> None:
    case = story.just_convened()
    for who in (story.cast.manager, story.cast.director, story.cast.panel_a):
        with pytest.raises(NotAllowed):
            suspension_record(
                case_id=case.pk,
                actor=who,
                kind="suspension",
                reason=REASON,
                decided_by=story.cast.director.pk,
                started_on=timezone.localdate(),
            )
    # An HR adviser who referred the case is its manager there.
    own = story.informal(manager=extras.manager_hr)
    with pytest.raises(NotAllowed):
        suspension_record(
            case_id=own.pk,
            actor=extras.manager_hr,
            kind="suspension",
            reason=REASON,
            decided_by=story.cast.director.pk,
            started_on=timezone.localdate(),
        )
    assert not Suspension.objects.exists()


def test_one_active_measure_per_case(story: Story) -> None:
    case = story.informal()
    first = record(story, case)
    with pytest.raises(Conflict, match="already has an active"):
        record(story, case)
    # The database holds to it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Suspension.objects.create(
            case=case,
            kind="restriction",
            reason="again",
            decided_by=first.decided_by,
            recorded_by=first.recorded_by,
            recorded_at=timezone.now(),
            started_on=first.started_on,
            review_every=20,
            review_due_on=first.review_due_on,
        )


def test_a_review_that_continues_sets_the_next_review_from_its_own_day(story: Story) -> None:
    case = story.informal()
    measure = record(story, case)
    today = timezone.localdate()
    suspension_review(
        case_id=case.pk,
        actor=story.cast.hr,
        reviewed_on=today,
        decision="continue",
        reason="Wx7 still needed: occupational health advice awaited.",
    )
    measure.refresh_from_db()
    region = trust_policy().bank_holiday_region
    assert measure.review_due_on == add_working_days(today, 20, region)
    assert measure.lifted_on is None
    review = SuspensionReview.objects.get(suspension=measure)
    assert (review.decision, review.next_due_on) == ("continue", measure.review_due_on)
    event = AuditEvent.objects.get(case=case, action="review_suspension")
    assert event.payload["next_due_on"] == measure.review_due_on.isoformat()
    assert "Wx7" not in str(event.payload)
    assert event.reason == ""


def test_a_review_that_lifts_ends_the_measure(story: Story) -> None:
    case = story.informal()
    measure = record(story, case)
    suspension_review(
        case_id=case.pk,
        actor=story.cast.hr,
        reviewed_on=timezone.localdate(),
        decision="lift",
        reason="No longer needed.",
    )
    measure.refresh_from_db()
    assert measure.lifted_on == timezone.localdate()
    assert (measure.review_due_on, measure.next_notice_on) == (None, None)
    with pytest.raises(Conflict, match="no active"):
        suspension_lift(
            case_id=case.pk, actor=story.cast.hr, lifted_on=timezone.localdate(), reason="x"
        )


def test_a_review_cannot_be_in_the_future_nor_before_the_start(story: Story) -> None:
    case = story.informal()
    record(story, case)
    for day in (
        timezone.localdate() + dt.timedelta(days=1),
        timezone.localdate() - dt.timedelta(days=400),
    ):
        with pytest.raises(ValidationFailed) as caught:
            suspension_review(
                case_id=case.pk,
                actor=story.cast.hr,
                reviewed_on=day,
                decision="continue",
                reason="r",
            )
        assert set(caught.value.errors) == {"reviewed_on"}


def test_hr_lifts_a_measure_and_may_then_record_another(story: Story) -> None:
    case = story.informal()
    measure = record(story, case)
    suspension_lift(
        case_id=case.pk, actor=story.cast.hr, lifted_on=timezone.localdate(), reason="Wx7 resolved"
    )
    measure.refresh_from_db()
    assert (measure.lifted_on, measure.lifted_by, measure.lift_reason) == (
        timezone.localdate(),
        story.cast.hr,
        "Wx7 resolved",
    )
    event = AuditEvent.objects.get(case=case, action="lift_suspension")
    assert event.payload["reason_sha256"] == _sha("Wx7 resolved")
    again = record(story, case, kind="redeployment")
    assert again.pk != measure.pk


def test_reviews_are_kept_as_written(story: Story) -> None:
    case = story.informal()
    record(story, case)
    suspension_review(
        case_id=case.pk,
        actor=story.cast.hr,
        reviewed_on=timezone.localdate(),
        decision="continue",
        reason="Still needed.",
    )
    review = SuspensionReview.objects.get()
    with pytest.raises(ValueError, match="never changed"):
        review.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        SuspensionReview.objects.filter(pk=review.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        SuspensionReview.objects.filter(pk=review.pk).delete()


def test_withdrawing_the_case_lifts_its_measure_with_it(story: Story) -> None:
    case = story.informal()
    measure = record(story, case)
    referral_withdraw(case_id=case.pk, actor=story.cast.hr, reason="Wrong person.")
    measure.refresh_from_db()
    assert measure.lifted_on == timezone.localdate()
    assert (measure.lifted_by, measure.lift_reason) == (story.cast.hr, CLOSE_REASON)
    event = AuditEvent.objects.get(case=case, action=LIFTED_WITH_CASE)
    assert event.payload == {
        "suspension": measure.pk,
        "kind": "suspension",
        "lifted_on": timezone.localdate().isoformat(),
        "closed_by": "withdraw",
    }


def test_nothing_is_recorded_on_a_closed_case(story: Story) -> None:
    case = story.closed()
    with pytest.raises(Conflict):
        record(story, case)


def test_a_measure_may_be_recorded_in_the_formal_stage(story: Story) -> None:
    case = story.formal()
    assert Case.objects.get(pk=case.pk).under_way
    measure = record(story, case)
    assert measure.case_id == case.pk


def test_destroying_the_case_file_removes_the_reviews_and_blanks_the_reason(
    story: Story,
) -> None:
    from records.retention import case_destroy
    from suspensions.models import DESTROYED_REASON

    from ..records.world import LATER, at

    with at(2024, 5, 2):
        case = story.informal()
        record(story, case)
        suspension_review(
            case_id=case.pk,
            actor=story.cast.hr,
            reviewed_on=timezone.localdate(),
            decision="continue",
            reason="Wx7 health details.",
        )
        referral_withdraw(case_id=case.pk, actor=story.cast.hr, reason="Raised in error.")
    with at(LATER.year, LATER.month, LATER.day):
        case_destroy(
            case_id=case.pk, actor=story.cast.hr, reference=case.reference, reason="Schedule."
        )
    assert not SuspensionReview.objects.filter(suspension__case=case).exists()
    measure = Suspension.objects.get(case=case)
    assert (measure.reason, measure.lift_reason) == (DESTROYED_REASON, "")
    assert measure.kind == "suspension"
