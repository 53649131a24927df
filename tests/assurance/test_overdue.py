"""Overdue reminders: each owner of actions past due and still to do is told
once a day, in one notification that says how many and links the list."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from assurance.overdue import actions_overdue_notify
from assurance.tasks import actions_overdue
from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification

from ..notifications.outbox import drain
from .conftest import add_action

TODAY = dt.date(2026, 2, 10)


def overdue_world(cast):
    add_action(cast, owner_id=cast.director.pk, due_on=dt.date(2026, 1, 1))
    add_action(cast, owner_id=cast.director.pk, due_on=dt.date(2026, 2, 9), status="in_progress")
    add_action(cast, owner_id=cast.director.pk, due_on=TODAY)  # due today: not yet overdue
    add_action(cast, owner_id=cast.director.pk, due_on=dt.date(2026, 1, 1), status="done")
    add_action(cast, owner_id=cast.manager.pk, due_on=dt.date(2026, 1, 5), status="dropped")
    add_action(cast, owner_id=cast.governance.pk, due_on=dt.date(2026, 1, 5))


def test_each_owner_is_told_once_how_many_are_overdue(cast, icsus):
    overdue_world(cast)
    assert actions_overdue_notify(as_of=TODAY) == 2
    assert actions_overdue_notify(as_of=TODAY) == 2  # a rerun records nothing new
    notes = Notification.objects.filter(kind=Kind.ACTION_OVERDUE).order_by("recipient_id")
    assert {n.recipient_id: n.items[0]["count"] for n in notes} == {
        cast.director.pk: 2,
        cast.governance.pk: 1,
    }
    director = notes.get(recipient=cast.director)
    assert inapp_text(director) == "2 of your actions are overdue."
    assert email_subject(director) == "2 of your Fair Treatment Panel actions are overdue"
    body = email_body(director)
    assert "2 actions you own are past their due date" in body
    assert "/assurance/actions/?overdue=on" in body
    assert "Train every investigator" not in body  # the email names no action
    # The next day is a new reminder.
    actions_overdue_notify(as_of=TODAY + dt.timedelta(days=1))
    assert Notification.objects.filter(kind=Kind.ACTION_OVERDUE).count() == 4


def test_nothing_overdue_tells_nobody(cast, icsus):
    add_action(cast, due_on=TODAY)
    assert actions_overdue_notify(as_of=TODAY) == 0
    assert not Notification.objects.filter(kind=Kind.ACTION_OVERDUE).exists()


def test_the_beat_task_and_the_command_run_in_each_trust(cast, icsus, time_machine):
    overdue_world(cast)
    time_machine.move_to("2026-02-10 09:00")
    assert actions_overdue() == 2
    out = StringIO()
    call_command("actions_overdue", "--as-of", "2026-02-10", stdout=out)
    assert out.getvalue() == "2 owners with overdue actions.\n"
    assert Notification.objects.filter(kind=Kind.ACTION_OVERDUE).count() == 2


def test_the_in_app_list_links_the_overdue_actions(client, cast, icsus, time_machine):
    time_machine.move_to("2026-02-10 09:00")
    overdue_world(cast)
    actions_overdue_notify(as_of=TODAY)
    drain()  # the in-app delivery
    client.force_login(cast.director)
    body = client.get("/notifications/").content.decode()
    assert "2 of your actions are overdue." in body
    assert 'href="/assurance/actions/?overdue=on"' in body
    listed = client.get("/assurance/actions/?overdue=on").content.decode()
    # The director reads every action: theirs two and the governance viewer's one.
    assert listed.count('data-overdue="true"') == 3
