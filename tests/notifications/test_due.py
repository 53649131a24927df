"""Each open case shows when its step is due and, past that day, that it is overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False) as t:
        yield t


def _page(client: Any, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_case_list_shows_the_due_date_until_it_passes(
    clock: Any, client: Any, story: Story, people: Any
) -> None:
    story.submitted()
    body = _page(client, people.hr, reverse("cases:list"))
    assert 'Due <time datetime="2026-03-09">9 Mar 2026</time>' in body
    clock.move_to(dt.datetime(2026, 3, 9, 17, tzinfo=LONDON))  # the due date is on time
    assert "Overdue" not in _page(client, people.hr, reverse("cases:list"))
    clock.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=LONDON))
    body = _page(client, people.hr, reverse("cases:list"))
    assert "Overdue</strong> · was due <time" in body


def test_the_inbox_and_the_case_page_show_it_too(
    clock: Any, client: Any, story: Story, people: Any
) -> None:
    case = story.submitted()
    clock.move_to(dt.datetime(2026, 3, 12, 9, tzinfo=LONDON))
    assert "Overdue" in _page(client, people.hr, reverse("cases:inbox"))
    assert "Overdue" in _page(client, people.hr, reverse("cases:detail", args=[case.pk]))


def test_a_finished_case_has_no_due_date(
    clock: Any, client: Any, story: Story, people: Any
) -> None:
    story.closed()
    clock.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=LONDON))
    body = _page(client, people.hr, reverse("cases:list"))
    assert "Overdue" not in body
    assert "Due <time" not in body


def test_the_api_gives_the_due_date_and_whether_it_has_passed(
    clock: Any, story: Story, people: Any
) -> None:
    case = story.submitted()
    api = APIClient()
    api.force_authenticate(people.hr)
    detail = api.get(reverse("api:referral", args=[case.pk])).json()
    assert (detail["due_on"], detail["overdue"]) == ("2026-03-09", False)
    clock.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=LONDON))
    [row] = api.get(reverse("api:referrals")).json()["results"]
    assert (row["due_on"], row["overdue"]) == ("2026-03-09", True)


def test_the_menu_counts_unread_notifications(client: Any, story: Story, people: Any) -> None:
    from .outbox import drain

    story.submitted()
    drain()
    body = _page(client, people.hr, reverse("cases:inbox"))
    assert "Notifications (1 unread)" in body
