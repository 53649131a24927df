"""Several notices for one person from one sweep reach them as one message.

An HR lead told of forty overdue steps gets one email listing forty, and
one line in the app; each step is still on its own case's audit trail
once the message is sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from notifications import messages
from notifications.models import EmailMode, Kind, Notification, NotificationPreference
from notifications.services import deadline_sweep, digests_build

from ..workflow.steps import Story
from .outbox import drain
from .test_sweep_batches import all_due_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cases(story: Story) -> list[Any]:
    """Three referrals waiting for triage, every notice of each due today
    (the news of their submission already delivered)."""
    cases = [story.submitted() for _ in range(3)]
    drain()
    mail.outbox.clear()
    all_due_today()
    return cases


def _bundle_for(user: Any) -> Notification:
    return Notification.objects.get(kind=Kind.DUE_STEPS, recipient=user)


def test_an_hr_adviser_gets_one_message_listing_every_step(
    three_cases: list[Any], people: Any
) -> None:
    assert deadline_sweep() == 9
    bundle = _bundle_for(people.hr)
    # HR owes each triage (the reminder) and is the lead told it is due today.
    assert sorted((i["case"], i["kind"]) for i in bundle.items) == sorted(
        (c.pk, kind) for c in three_cases for kind in (Kind.REMINDER, Kind.OVERDUE_HR)
    )
    assert bundle.case_id is None
    assert not Notification.objects.filter(
        recipient=people.hr, kind__in=Kind.deadline_kinds()
    ).exists()
    assert messages.inapp_text(bundle) == (
        "6 steps need attention: 3 due today and not done, 3 due soon."
    )


def test_the_email_lists_each_reference_with_a_link_and_nothing_private(
    three_cases: list[Any], people: Any
) -> None:
    deadline_sweep()
    drain()
    [email] = [m for m in mail.outbox if m.to == [people.hr.email]]
    assert email.subject == "6 Fair Treatment Panel steps need attention"
    for case in three_cases:
        assert case.reference in email.body
        assert reverse("cases:detail", args=[case.pk]) in email.body
        for private in (case.employee_name, case.summary, case.employee_staff_number):
            assert private not in email.body


def test_each_step_of_a_sent_bundle_is_on_its_case_audit_trail(
    three_cases: list[Any], people: Any
) -> None:
    deadline_sweep()
    drain()
    bundle = _bundle_for(people.hr)
    for case in three_cases:
        sent = AuditEvent.objects.filter(case=case, payload__bundle=bundle.pk)
        # Two steps (reminder, due today) over two channels (in the app, email).
        assert sorted((e.action, e.payload["channel"]) for e in sent) == [
            ("escalation_sent", "email"),
            ("escalation_sent", "inapp"),
            ("reminder_sent", "email"),
            ("reminder_sent", "inapp"),
        ]
        assert {e.payload["recipient"] for e in sent} == {people.hr.pk}


def test_the_list_names_the_steps_and_counts_the_rest(
    client: Any, three_cases: list[Any], people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "ITEMS_SHOWN", 4)
    deadline_sweep()
    drain()
    client.force_login(people.hr)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "6 steps need attention" in body
    assert 'data-testid="bundle-steps"' in body
    assert "and 2 more" in body
    shown = [c for c in three_cases if reverse("cases:detail", args=[c.pk]) in body]
    assert shown  # the first four steps link to their cases


def test_a_person_with_one_notice_gets_the_usual_notification(story: Story, people: Any) -> None:
    case = story.submitted()
    all_due_today()
    deadline_sweep()
    # The director's only notice: the escalation five working days late.
    [note] = Notification.objects.filter(recipient=people.director)
    assert (note.kind, note.case_id, note.items) == (Kind.OVERDUE_DECISION_MAKER, case.pk, [])


def test_a_digest_reader_gets_the_bundles_steps_in_their_digest(
    three_cases: list[Any], people: Any
) -> None:
    NotificationPreference.objects.create(user=people.hr, email_mode=EmailMode.DIGEST)
    deadline_sweep()
    drain()
    assert not [m for m in mail.outbox if m.to == [people.hr.email]]
    digests_build()
    drain()
    [digest] = [m for m in mail.outbox if m.to == [people.hr.email]]
    assert "6 Fair Treatment Panel steps" not in digest.subject
    for case in three_cases:
        assert digest.body.count(case.reference) == 2  # its reminder and its escalation
