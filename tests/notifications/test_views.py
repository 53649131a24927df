"""The notification list, its unread count, marking read, and the email setting."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from notifications.models import EmailMode, Kind, Notification, NotificationPreference

from ..workflow.steps import Story
from .outbox import drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(story: Story, people: Any) -> Notification:
    story.submitted()
    drain()
    return Notification.objects.get(kind=Kind.SUBMITTED)


def test_the_list_shows_delivered_notifications_and_the_unread_count(
    client: Any, people: Any, delivered: Notification
) -> None:
    client.force_login(people.hr)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert delivered.case is not None
    assert delivered.case.reference in body
    assert '<span data-testid="unread-count">1</span>' in body


def test_someone_else_sees_none_of_them(client: Any, people: Any, delivered: Notification) -> None:
    client.force_login(people.outsider)
    response = client.get(reverse("notifications:list"))
    assert delivered.case is not None
    assert delivered.case.reference not in response.content.decode()


def test_marking_read_lowers_the_count(client: Any, people: Any, delivered: Notification) -> None:
    client.force_login(people.hr)
    response = client.post(reverse("notifications:read", args=[delivered.pk]))
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.read_at is not None
    body = client.get(reverse("notifications:list")).content.decode()
    assert '<span data-testid="unread-count">0</span>' in body


def test_opening_a_notification_goes_to_its_case(
    client: Any, people: Any, delivered: Notification
) -> None:
    client.force_login(people.hr)
    response = client.post(reverse("notifications:read", args=[delivered.pk]), {"open": "1"})
    assert response["Location"] == reverse("cases:detail", args=[delivered.case_id])


def test_marking_someone_elses_notification_is_not_found(
    client: Any, people: Any, delivered: Notification
) -> None:
    client.force_login(people.manager)
    response = client.post(reverse("notifications:read", args=[delivered.pk]))
    assert response.status_code == 404
    delivered.refresh_from_db()
    assert delivered.read_at is None


def test_marking_read_needs_a_post(client: Any, people: Any, delivered: Notification) -> None:
    client.force_login(people.hr)
    assert client.get(reverse("notifications:read", args=[delivered.pk])).status_code == 405


def test_mark_all_read(client: Any, people: Any, delivered: Notification) -> None:
    client.force_login(people.hr)
    client.post(reverse("notifications:read_all"))
    delivered.refresh_from_db()
    assert delivered.read_at is not None


def test_signing_in_is_needed(client: Any) -> None:
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_choosing_the_daily_digest(client: Any, people: Any) -> None:
    client.force_login(people.hr)
    assert client.get(reverse("notifications:preferences")).status_code == 200
    response = client.post(reverse("notifications:preferences"), {"email_mode": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=people.hr).email_mode == EmailMode.DIGEST


def test_an_unknown_choice_is_refused_with_a_reason(client: Any, people: Any) -> None:
    client.force_login(people.hr)
    response = client.post(reverse("notifications:preferences"), {"email_mode": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=people.hr).exists()


def test_no_choice_is_refused_with_a_reason(client: Any, people: Any) -> None:
    client.force_login(people.hr)
    response = client.post(reverse("notifications:preferences"), {})
    assert response.status_code == 400
    assert "Choose immediate emails or a daily digest." in response.content.decode()
