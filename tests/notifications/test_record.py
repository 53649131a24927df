"""Who is told what when a case moves: recorded in the action's transaction."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import ValidationFailed
from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from workflow.services import case_triage, referral_withdraw

from ..workflow.steps import Story, refused
from .outbox import kinds_for, recipients_of

pytestmark = pytest.mark.django_db


def test_hr_advisers_hear_of_a_new_referral(story: Story, people: Any) -> None:
    case = story.submitted()
    assert recipients_of(Kind.SUBMITTED) == {people.hr}
    [note] = Notification.objects.filter(kind=Kind.SUBMITTED)
    assert note.case == case
    channels = set(Delivery.objects.filter(notification=note).values_list("channel", "status"))
    assert channels == {("inapp", DeliveryStatus.PENDING), ("email", DeliveryStatus.PENDING)}


def test_the_manager_hears_when_their_case_moves_but_not_of_their_own_actions(
    story: Story, people: Any
) -> None:
    story.informal()
    assert kinds_for(people.manager) == [Kind.CASE_MOVED]
    story.closed()  # the manager records the informal outcome themselves
    assert Notification.objects.filter(recipient=people.manager).count() == 2


def test_panel_members_hear_when_they_are_convened(story: Story, people: Any) -> None:
    story.just_convened()
    assert recipients_of(Kind.PANEL_CONVENED) == set(people.panel)


def test_decision_makers_hear_when_a_signoff_waits(story: Story, people: Any) -> None:
    story.signoff()
    assert recipients_of(Kind.SIGNOFF_WAITING) == {people.director}


def test_a_resubmitted_case_is_news_to_hr_again(story: Story, people: Any) -> None:
    story.resubmitted()
    assert Notification.objects.filter(kind=Kind.SUBMITTED, recipient=people.hr).count() == 2


def test_a_refused_action_records_no_notification(story: Story, people: Any) -> None:
    case = story.submitted()
    before = Notification.objects.count(), Delivery.objects.count()
    refused(ValidationFailed, case_triage, case_id=case.pk, actor=people.hr, route="nowhere")
    assert (Notification.objects.count(), Delivery.objects.count()) == before


def test_people_without_an_email_address_are_told_in_the_app_only(
    story: Story, people: Any
) -> None:
    people.hr.email = ""
    people.hr.save(update_fields=["email"])
    story.submitted()
    [note] = Notification.objects.filter(kind=Kind.SUBMITTED)
    assert list(note.deliveries.values_list("channel", flat=True)) == ["inapp"]


def test_each_event_is_recorded_once_per_person_and_channel(story: Story, people: Any) -> None:
    from notifications.services import notifications_record

    case = story.submitted()
    again = notifications_record(
        event_key=f"submitted:{case.pk}:v1", kind=Kind.SUBMITTED, recipients=[people.hr], case=case
    )
    assert Notification.objects.filter(kind=Kind.SUBMITTED).count() == 1
    assert Delivery.objects.filter(notification__kind=Kind.SUBMITTED).count() == 2
    assert len(again) == 2  # the same two deliveries, queued again: harmless


def test_the_manager_hears_when_hr_withdraws_their_case(story: Story, people: Any) -> None:
    case = story.submitted()
    referral_withdraw(case_id=case.pk, actor=people.hr, reason="The manager asked us to.")
    assert kinds_for(people.manager) == [Kind.CASE_MOVED]
