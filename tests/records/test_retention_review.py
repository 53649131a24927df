"""The retention review: ``manage.py retention_review`` lists the files due,
and the weekly task tells HR advisers about the ones newly due."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from records import retention_review
from records.retention_review import retention_review_notify
from records.tasks import retention_review as retention_review_task

from ..workflow.steps import Story
from .world import LONDON, at


def closed_on(cast, employee, year: int, month: int, day: int):
    with at(year, month, day):
        return Story(cast, employee).closed()


def review(*args: str) -> str:
    out = StringIO()
    call_command("retention_review", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_the_due_files_without_names(cast, employee):
    old = closed_on(cast, employee, 2024, 5, 2)
    recent = closed_on(cast, employee, 2025, 1, 9)
    text = review("--as-of", "2030-05-02")
    assert f"{old.reference}\tno_formal\t2024-05-02\t2030-05-02" in text
    assert recent.reference not in text
    assert employee.name not in text
    assert old.summary not in text
    assert review("--as-of", "2030-05-01").endswith(
        "No case file is due for destruction by 2030-05-01.\n"
    )


def test_the_command_pages_through_a_long_list(cast, employee):
    cases = [closed_on(cast, employee, 2024, 5, d) for d in (2, 3, 4)]
    first = review("--as-of", "2031-01-01", "--limit", "2")
    cursor = first.rsplit("--page ", 1)[1].strip()
    second = review("--as-of", "2031-01-01", "--limit", "2", "--page", cursor)
    assert [c.reference in first for c in cases] == [True, True, False]
    assert [c.reference in second for c in cases] == [False, False, True]
    assert "--page" not in second


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "2030-13-01"), "YYYY-MM-DD"),
        (("--limit", "0"), "--limit"),
        (("--limit", "5000"), "--limit"),
        (("--page", "not-a-cursor!"), "--page"),
    ],
)
def test_bad_arguments_are_clear_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        review(*args)


def test_hr_advisers_are_told_of_the_files_newly_due_once(cast, employee):
    due_this_week = closed_on(cast, employee, 2024, 5, 2)
    due_last_month = closed_on(cast, employee, 2024, 4, 2)
    assert retention_review_notify(as_of=dt.date(2030, 5, 4)) == 1
    assert retention_review_notify(as_of=dt.date(2030, 5, 4)) == 1  # run twice: told once
    told = Notification.objects.get(kind=Kind.RETENTION_DUE)
    assert told.recipient == cast.hr
    assert [i["reference"] for i in told.items] == [due_this_week.reference]
    assert due_last_month.reference in review("--as-of", "2030-05-04")  # still listed
    assert due_this_week.reference in inapp_text(told)
    body, subject = email_body(told), email_subject(told)
    assert due_this_week.reference in body
    assert "/audit/retention/" in body
    assert employee.name not in body
    assert due_this_week.summary not in body
    assert subject == "1 Fair Treatment Panel case files are due for destruction"


def test_a_long_list_is_cut_and_says_so(cast, employee, monkeypatch):
    monkeypatch.setattr(retention_review, "LISTED_MAX", 1)
    closed_on(cast, employee, 2024, 5, 2)
    closed_on(cast, employee, 2024, 5, 3)
    assert retention_review_notify(as_of=dt.date(2030, 5, 4)) == 2
    told = Notification.objects.get(kind=Kind.RETENTION_DUE)
    assert told.items[-1] == {"more": True}
    assert "1 or more case files" in inapp_text(told)


def test_nobody_is_told_when_nothing_fell_due(cast, employee):
    closed_on(cast, employee, 2024, 5, 2)
    assert retention_review_notify(as_of=dt.date(2030, 4, 1)) == 0
    assert not Notification.objects.filter(kind=Kind.RETENTION_DUE).exists()


def test_the_weekly_task_reviews_today(cast, employee):
    closed_on(cast, employee, 2024, 5, 2)
    with time_machine.travel(dt.datetime(2030, 5, 6, 6, 30, tzinfo=LONDON)):
        assert retention_review_task() == 1
