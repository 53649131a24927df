"""Guardians are told of a new concern, reminded the day its acknowledgement
is due and told again once it is overdue: once each, however often the
sweep runs; a signed-in reporter hears of replies, an anonymous one not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail

from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from speakup.models import Route
from speakup.notices import concerns_sweep_run
from speakup.services import concern_acknowledge, concern_raise, concern_reply
from speakup.tasks import concerns_sweep

ACCOUNT = "Qzx: the rota always gives me the nights"
RECEIVED = dt.date(2026, 12, 1)  # a Tuesday: acknowledge by Thursday 3 December
DUE = dt.date(2026, 12, 3)


def _kinds(user: Any) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_guardians_are_told_reminded_and_escalated_once_each(speak: Any) -> None:
    raised = concern_raise(
        reporter=speak.staff,
        route=Route.CONFIDENTIAL,
        topic="racism",
        account=ACCOUNT,
        today=RECEIVED,
    )
    for guardian in (speak.guardian, speak.guardian_b):
        assert _kinds(guardian) == [Kind.CONCERN_RAISED]
    assert _kinds(speak.hr) == []
    assert _kinds(speak.staff) == []
    for _ in range(3):
        concerns_sweep_run(today=RECEIVED)
    assert _kinds(speak.guardian) == [Kind.CONCERN_RAISED]
    for _ in range(2):
        concerns_sweep_run(today=DUE)
    assert _kinds(speak.guardian) == [Kind.CONCERN_ACK_DUE, Kind.CONCERN_RAISED]
    for day in (DUE + dt.timedelta(days=1), DUE + dt.timedelta(days=2)):
        concerns_sweep_run(today=day)
    expected = [Kind.CONCERN_ACK_DUE, Kind.CONCERN_ACK_OVERDUE, Kind.CONCERN_RAISED]
    for guardian in (speak.guardian, speak.guardian_b):
        assert _kinds(guardian) == expected
    concern_acknowledge(concern_id=raised.concern.pk, actor=speak.guardian)
    assert concerns_sweep_run(today=DUE + dt.timedelta(days=9)) == 0
    assert Notification.objects.filter(recipient__in=[speak.hr, speak.staff]).count() == 0
    assert not Notification.objects.filter(case__isnull=False).exists()


def test_the_sweep_tells_a_guardian_added_later(speak: Any) -> None:
    concern_raise(
        reporter=None, route=Route.ANONYMOUS, topic="bullying", account=ACCOUNT, today=RECEIVED
    )
    from accounts.roles import Role
    from tests.factories import make_user

    late = make_user("lee.guardian", Role.FTSU_GUARDIAN)
    concerns_sweep()
    assert Kind.CONCERN_RAISED in _kinds(late)


def test_emails_carry_no_content(speak: Any) -> None:
    concern_raise(
        reporter=speak.staff,
        route=Route.OPEN,
        topic="racism",
        account=ACCOUNT,
        ethnic_category="N",
        today=RECEIVED,
    )
    concerns_sweep_run(today=DUE + dt.timedelta(days=1))
    notes = list(Notification.objects.filter(recipient=speak.guardian))
    assert len(notes) == 2
    for note in notes:
        text = email_subject(note) + email_body(note) + inapp_text(note)
        for secret in ("Qzx", "nights", speak.staff.username, "African", "Racism", "racism"):
            assert secret not in text
        assert "/speak-up/concerns/" in email_body(note)
        assert "3 December 2026" in email_body(note)
    assert mail.outbox == [] or all("Qzx" not in m.body for m in mail.outbox)


def test_a_signed_in_reporter_hears_of_replies_an_anonymous_one_not(speak: Any) -> None:
    named = concern_raise(reporter=speak.staff, route=Route.OPEN, topic="other", account=ACCOUNT)
    anon = concern_raise(reporter=None, route=Route.ANONYMOUS, topic="other", account=ACCOUNT)
    concern_reply(
        concern_id=named.concern.pk, actor=speak.guardian, body="Qzx thanks", signed=False
    )
    concern_reply(concern_id=named.concern.pk, actor=speak.guardian, body="Qzx again", signed=True)
    concern_reply(concern_id=anon.concern.pk, actor=speak.guardian, body="Qzx anon", signed=False)
    replies = Notification.objects.filter(kind=Kind.CONCERN_REPLY)
    assert list(replies.values_list("recipient_id", flat=True)) == [speak.staff.pk] * 2
    note = replies.first()
    assert note is not None
    assert note.case_id is None
    assert "Qzx" not in email_body(note)
    assert "/speak-up/mine/" in email_body(note)
