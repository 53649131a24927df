"""The trust-wide register page and its CSV: HR advisers only, keyset paged
at a cost that does not grow with the register, filtered to the active or
overdue measures, the download recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, EventType
from suspensions.models import Suspension

from ..workflow.steps import Story
from .world import record

pytestmark = pytest.mark.django_db

URL = "/suspensions/"


def _lifted(measure: Suspension, n: int) -> None:
    """``n`` lifted measures on ``measure``'s case, in one statement."""
    start = measure.started_on
    Suspension.objects.bulk_create(
        [
            Suspension(
                case_id=measure.case_id,
                kind="redeployment",
                reason="An earlier measure.",
                decided_by_id=measure.decided_by_id,
                recorded_by_id=measure.recorded_by_id,
                recorded_at=timezone.now(),
                started_on=start,
                review_every=20,
                review_due_on=None,
                lifted_on=start,
                lifted_by_id=measure.recorded_by_id,
            )
            for _ in range(n)
        ]
    )


def _queries(client: Client, user: Any, query: str = "") -> int:
    client.force_login(user)
    assert client.get(f"{URL}?{query}").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_only_hr_opens_the_register(client: Client, story: Story) -> None:
    for user, status in (
        (story.cast.hr, 200),
        (story.cast.director, 403),
        (story.cast.manager, 403),
        (story.cast.panel_a, 403),
        (story.cast.governance, 403),
    ):
        client.force_login(user)
        assert client.get(URL).status_code == status
        assert client.get(f"{URL}export.csv").status_code == status


def test_a_page_costs_the_same_queries_for_3_measures_or_40(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.suspensions.PAGE_SIZE", 2)
    measure = record(story, story.informal())
    _lifted(measure, 2)
    small = _queries(client, story.cast.hr)
    older = client.get(URL).context["page"].older
    small_later = _queries(client, story.cast.hr, f"cursor={older}")
    _lifted(measure, 37)
    assert _queries(client, story.cast.hr) == small
    assert _queries(client, story.cast.hr, f"cursor={older}") == small_later


def test_every_row_is_reached_by_following_the_pages(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.suspensions.PAGE_SIZE", 2)
    measure = record(story, story.informal())
    _lifted(measure, 4)
    client.force_login(story.cast.hr)
    seen: list[int] = []
    query = ""
    for _ in range(10):
        page = client.get(f"{URL}?{query}").context["page"]
        seen += [row.pk for row in page.rows]
        if not page.older:
            break
        query = f"cursor={page.older}"
    assert sorted(seen) == sorted(Suspension.objects.values_list("pk", flat=True))


def test_a_damaged_page_link_is_a_400(client: Client, story: Story) -> None:
    client.force_login(story.cast.hr)
    assert client.get(f"{URL}?cursor=rubbish").status_code == 400
    assert client.get(f"{URL}?show=everything").status_code == 400


def test_the_filters_show_the_active_and_the_overdue(client: Client, story: Story) -> None:
    measure = record(story, story.informal())
    _lifted(measure, 1)
    overdue = record(story, story.informal())
    Suspension.objects.filter(pk=overdue.pk).update(
        review_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(story.cast.hr)

    def shown(show: str) -> set[int]:
        return {m.pk for m, _ in client.get(f"{URL}?show={show}").context["rows"]}

    assert shown("active") == {measure.pk, overdue.pk}
    assert shown("overdue") == {overdue.pk}
    assert len(shown("all")) == 3
    page = client.get(f"{URL}?show=overdue").content.decode()
    assert "overdue" in page
    assert "asthma" not in page  # never the reason


def test_the_csv_is_the_register_and_its_download_is_recorded(client: Client, story: Story) -> None:
    case = story.informal()
    record(story, case)
    client.force_login(story.cast.hr)
    response = client.get(f"{URL}export.csv?show=active")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert lines[0].startswith("Reference,Kind,Started")
    assert case.reference in lines[1]
    assert "asthma" not in text
    event = AuditEvent.objects.get(action=EventType.EXPORT, actor=story.cast.hr)
    assert event.payload["kind"] == "suspension_register"


def test_the_register_leaves_out_a_case_the_adviser_referred(
    client: Client, story: Story, extras: Any
) -> None:
    own = story.informal(manager=extras.manager_hr)
    record(story, own)
    client.force_login(extras.manager_hr)
    assert client.get(URL).context["rows"] == []
    assert reverse("suspensions:index") == URL
