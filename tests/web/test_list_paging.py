"""Every list is paged and bounded: a page holds at most a page of rows, the
next page is reachable (and the one before it again), a page costs the same
queries however many rows the list holds, and a damaged page link is a 400
naming it, never a 500.

Page sizes are made small here (monkeypatched) so that a few cases make
several pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.paging import AFTER, Cursor
from notifications.models import Notification
from panels import selectors as panel_selectors
from panels.services import panel_declare
from workflow.models import Case

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db


def fetch(client: Client, user: Any, url: str, query: str = "") -> Any:
    client.force_login(user)
    response = client.get(f"{url}?{query}" if query else url)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def queries(client: Client, user: Any, url: str, query: str = "") -> int:
    fetch(client, user, url, query)  # warm: sessions, permissions
    with CaptureQueriesContext(connection) as ctx:
        fetch(client, user, url, query)
    return len(ctx.captured_queries)


def walk(client: Client, user: Any, url: str, ids: Callable[[Any], list[int]]) -> list[int]:
    """Every row of a keyset-paged list, following the "older" links."""
    seen: list[int] = []
    query = ""
    for _ in range(50):
        page = fetch(client, user, url, query).context["page"]
        seen += ids(page)
        if page.older is None:
            return seen
        query = f"cursor={page.older}"
    raise AssertionError("the list never ended")


# --- the case list --------------------------------------------------------------------


def test_the_case_list_pages_through_every_case_newest_first(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 2)
    made = [story.submitted().pk for _ in range(5)]

    seen = walk(client, story.cast.hr, reverse("cases:list"), lambda p: [c.pk for c in p])

    assert seen == made[::-1]
    first = fetch(client, story.cast.hr, reverse("cases:list")).context["page"]
    assert len(first.rows) == 2
    # "Newer" from the second page is the first page again.
    second = fetch(client, story.cast.hr, reverse("cases:list"), f"cursor={first.older}")
    newer = second.context["page"].newer
    back = fetch(client, story.cast.hr, reverse("cases:list"), f"cursor={newer}")
    assert [c.pk for c in back.context["page"]] == [c.pk for c in first]


def test_cases_with_the_same_submission_time_are_neither_lost_nor_repeated(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 2)
    made = [story.submitted().pk for _ in range(5)]
    same = Case.objects.get(pk=made[0]).submitted_at
    Case.objects.filter(pk__in=made).update(submitted_at=same)

    seen = walk(client, story.cast.hr, reverse("cases:list"), lambda p: [c.pk for c in p])

    assert seen == sorted(made, reverse=True)


def test_a_case_list_page_costs_the_same_queries_for_3_cases_or_12(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 2)
    url = reverse("cases:list")
    for _ in range(3):
        story.submitted()
    small = queries(client, story.cast.hr, url)
    older = fetch(client, story.cast.hr, url).context["page"].older
    small_later = queries(client, story.cast.hr, url, f"cursor={older}")
    for _ in range(9):
        story.closed()
    assert queries(client, story.cast.hr, url) == small
    assert queries(client, story.cast.hr, url, f"cursor={older}") == small_later


def test_a_cursor_that_no_longer_fits_gives_the_first_page(client: Client, story: Story) -> None:
    case = story.submitted()
    stale = Cursor(AFTER, ("not a date", "x")).encode()

    page = fetch(client, story.cast.hr, reverse("cases:list"), f"cursor={stale}").context["page"]

    assert [c.pk for c in page] == [case.pk]


# --- the inbox -------------------------------------------------------------------------


def test_the_inbox_pages_oldest_first_at_the_same_cost(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 2)
    made = [story.submitted().pk for _ in range(3)]
    url = reverse("cases:inbox")

    seen = walk(client, story.cast.hr, url, lambda p: [t.process.case.pk for t in p])
    assert seen == made

    small = queries(client, story.cast.hr, url)
    for _ in range(6):
        story.submitted()
    assert queries(client, story.cast.hr, url) == small


def test_hr_inbox_lists_a_page_of_panels_to_fill_and_links_to_the_rest(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panel_selectors, "PAGE_SIZE", 1)
    for _ in range(2):
        case = story.just_convened()
        panel_declare(
            case_id=case.pk, actor=story.cast.panel_b, no_conflict=False, reason="My cousin."
        )

    text = fetch(client, story.cast.hr, reverse("cases:inbox")).content.decode()

    assert "Panels needing a replacement member (2)" in text
    assert f"{reverse('cases:panels')}?replacement=2" in text


# --- HR's panels dashboard ------------------------------------------------------------------


def test_each_group_of_the_dashboard_pages_separately_with_its_count(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panel_selectors, "PAGE_SIZE", 1)
    declaring = [story.just_convened().pk for _ in range(3)]
    waiting = [story.panel().pk for _ in range(2)]
    url = reverse("cases:panels")

    def rows(query: str) -> dict[str, list[int]]:
        groups = fetch(client, story.cast.hr, url, query).context["groups"]
        return {g.key: [r.case.pk for r in g.rows] for g, _ in groups}

    first = fetch(client, story.cast.hr, url).content.decode()
    assert "Waiting on declarations of interest (3)" in first
    assert "Waiting to be convened (2)" in first
    assert 'href="?declarations=2#declarations"' in first

    pages = [rows(f"declarations={n}&convene=2") for n in (1, 2, 3)]
    assert [p["declarations"] for p in pages] == [[pk] for pk in declaring]
    assert all(p["convene"] == [waiting[1]] for p in pages)  # the other group's page is kept
    # A page past the last shows the last.
    assert rows("declarations=9")["declarations"] == [declaring[-1]]


def test_the_dashboard_costs_the_same_queries_for_one_panel_or_six(
    client: Client, story: Story
) -> None:
    story.just_convened()
    story.panel()
    url = reverse("cases:panels")
    small = queries(client, story.cast.hr, url)
    for _ in range(3):
        story.just_convened()
        story.convened()
    assert queries(client, story.cast.hr, url) == small


@pytest.mark.parametrize("query", ["views=0", "declarations=two", "replacement=-1"])
def test_a_bad_dashboard_page_is_a_400_naming_the_group(story: Story, query: str) -> None:
    browser = Client(raise_request_exception=False)
    browser.force_login(story.cast.hr)
    response = browser.get(f"{reverse('cases:panels')}?{query}")
    assert response.status_code == 400
    assert "Page of" in response.content.decode()


# --- My panels -----------------------------------------------------------------------


def _close_panel(story: Story, members: list[Any]) -> Case:
    """A panel that sat and decided: a past seat for each member."""
    case = story.convened(members)
    return story.decide(case, "mediation", members[0])


def test_my_panels_shows_open_seats_then_pages_the_past_ones(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panel_selectors, "PAGE_SIZE", 2)
    members = story.cast.panel
    past = [_close_panel(story, members).pk for _ in range(3)]
    open_case = story.just_convened(members)
    url = reverse("cases:my_panels")

    first = fetch(client, members[1], url)
    assert [s.case.pk for s in first.context["open_seats"]] == [open_case.pk]
    assert [s.case.pk for s in first.context["past"].rows] == past[:0:-1]
    older = first.context["past"].older
    second = fetch(client, members[1], url, f"cursor={older}")
    assert second.context["open_seats"] == []  # shown on the first page only
    assert [s.case.pk for s in second.context["past"].rows] == [past[0]]
    assert "Newer panels" in second.content.decode()


def test_my_panels_and_a_members_inbox_cost_the_same_queries_as_history_grows(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panel_selectors, "PAGE_SIZE", 2)
    members = story.cast.panel
    story.just_convened(members)
    _close_panel(story, members)
    _close_panel(story, members)
    counts = [queries(client, members[1], reverse(n)) for n in ("cases:my_panels", "cases:inbox")]
    for _ in range(2):
        _close_panel(story, members)
    later = [queries(client, members[1], reverse(n)) for n in ("cases:my_panels", "cases:inbox")]
    assert later == counts


def test_a_members_inbox_reads_only_their_open_seats(story: Story) -> None:
    members = story.cast.panel
    open_case = story.just_convened(members)
    _close_panel(story, members)

    work = panel_selectors.panel_work_for(members[1])

    assert [s.case.pk for s in work] == [open_case.pk]
    assert [s.case.pk for s in panel_selectors.my_open_seats(members[1])] == [open_case.pk]


# --- notifications and the audit search ---------------------------------------------------


def test_the_notification_list_pages_newest_first(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.notifications.PAGE_SIZE", 2)
    case, hr = story.submitted(), story.cast.hr
    now = timezone.now()
    for i in range(5):
        # Two shown at the same moment: the id breaks the tie.
        shown = now - dt.timedelta(minutes=i // 2)
        Notification.objects.create(
            event_key=f"test:{i}",
            recipient=hr,
            kind="submitted",
            case=case,
            created_at=shown,
            shown_at=shown,
        )
    mine = list(
        Notification.objects.filter(recipient=hr, shown_at__isnull=False)
        .order_by("-shown_at", "-id")
        .values_list("pk", flat=True)
    )

    assert walk(client, hr, reverse("notifications:list"), lambda p: [n.pk for n in p]) == mine


def test_the_audit_search_pages_through_the_log_newest_first(
    client: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit.models import AuditEvent

    monkeypatch.setattr("web.audit.PAGE_SIZE", 3)
    story.submitted()
    story.informal()
    expected = list(AuditEvent.objects.order_by("-at", "-id").values_list("pk", flat=True))

    seen = walk(client, story.cast.hr, reverse("audit:index"), lambda p: [e.pk for e in p])

    assert seen == expected
