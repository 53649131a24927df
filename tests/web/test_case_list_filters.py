"""The case list's and the inbox's query strings are checked at the door: a
filter the list does not offer is a 400 naming it, never a 500, and a good
filter still narrows the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from workflow.models import Case

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

CASES = reverse("cases:list")
INBOX = reverse("cases:inbox")


@pytest.fixture
def browser() -> Client:
    # A 500 comes back as a 500 (not as the exception), as a person would see it.
    return Client(raise_request_exception=False)


def get(client: Client, user: Any, url: str, query: str) -> Any:
    client.force_login(user)
    return client.get(f"{url}?{query}")


@pytest.mark.parametrize("param", ["stage", "org_unit", "outcome", "cursor"])
@pytest.mark.parametrize("who", ["hr", "manager"])
def test_a_nul_byte_in_a_case_list_filter_is_a_400_not_a_500(
    browser: Client, story: Story, param: str, who: str
) -> None:
    story.submitted()
    response = get(browser, getattr(story.cast, who), CASES, f"{param}=%00")

    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("stage=banana", "Stage"),
        ("outcome=maybe", "Outcome"),
        ("org_unit=" + "X" * 200, "Department"),
        ("org_unit=DEP%01ED", "Department"),
        ("cursor=0", "Page"),
        ("cursor=-3", "Page"),
        ("cursor=two", "Page"),
        ("cursor=" + "9" * 5000, "Page"),
        # Well-formed base64 of something that is not a cursor.
        ("cursor=WyJ4IiwxXQ", "Page"),
    ],
)
def test_a_filter_the_list_does_not_offer_is_a_400_naming_it(
    browser: Client, story: Story, query: str, named: str
) -> None:
    story.submitted()
    response = get(browser, story.cast.hr, CASES, query)

    assert response.status_code == 400
    assert named in response.content.decode()


def test_good_filters_still_narrow_the_list(browser: Client, story: Story) -> None:
    submitted, closed = story.submitted(), story.closed()

    def listed(query: str) -> set[int]:
        response = get(browser, story.cast.hr, CASES, query)
        assert response.status_code == 200
        return {c.pk for c in response.context["page"]}

    assert listed("stage=submitted") == {submitted.pk}
    assert listed("stage=closed&outcome=resolved_informally") == {closed.pk}
    assert listed("org_unit=DEP-ED") == {submitted.pk, closed.pk}
    assert listed("org_unit=NOWHERE") == set()
    assert listed("stage=&outcome=&org_unit=&cursor=") == {submitted.pk, closed.pk}
    # A page number from an old link is not a parameter any more: the first page.
    assert listed("page=99") == {submitted.pk, closed.pk}


@pytest.mark.parametrize("query", ["cursor=%00", "cursor=0", "cursor=x%01"])
def test_a_bad_inbox_page_is_a_400(browser: Client, story: Story, query: str) -> None:
    story.submitted()
    response = get(browser, story.cast.hr, INBOX, query)
    assert response.status_code == 400
    # The page names the parameter (a NUL anywhere is refused before any form reads it).
    assert "%00" in query or "Page" in response.content.decode()
    assert get(browser, story.cast.hr, INBOX, "cursor=").status_code == 200


@pytest.mark.parametrize(
    "query", ["members=%00", "members=1&chair=%00", "members=%C2%B2", "chair=" + "9" * 5000]
)
def test_a_bad_panel_prefill_is_a_400(browser: Client, story: Story, query: str) -> None:
    case = story.panel()
    url = reverse("cases:action", args=[case.pk, "convene_panel"])
    assert get(browser, story.cast.hr, url, query).status_code == 400


def test_a_good_panel_prefill_fills_the_form(browser: Client, story: Story) -> None:
    case = story.panel()
    a, b = story.cast.panel_a, story.cast.panel_b
    url = reverse("cases:action", args=[case.pk, "convene_panel"])
    response = get(browser, story.cast.hr, url, f"members={a.pk}&members={b.pk}&chair={a.pk}")

    assert response.status_code == 200
    form = response.context["form"]
    assert [str(m) for m in form["members"].value()] == [str(a.pk), str(b.pk)]
    assert str(form["chair"].value()) == str(a.pk)


def test_a_nul_byte_in_a_posted_referral_is_refused_and_nothing_is_written(
    browser: Client, story: Story
) -> None:
    browser.force_login(story.cast.manager)
    before = Case.objects.count()
    response = browser.post(
        reverse("cases:new"),
        {
            "staff_number": story.employee.staff_number + "\x00",
            "concern_category": "conduct",
            "incident_date": "01/11/2026",
            "summary": "Raised voice at a colleague\x00 during handover.",
        },
    )

    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert Case.objects.count() == before


def test_a_nul_byte_in_a_posted_action_is_refused_and_nothing_is_recorded(
    browser: Client, story: Story
) -> None:
    case = story.submitted()
    browser.force_login(story.cast.hr)
    before = AuditEvent.objects.count()
    response = browser.post(
        reverse("cases:action", args=[case.pk, "triage"]),
        {"version": case.version, "route": "panel", "reason": "A pattern\x00 of concern."},
    )

    assert response.status_code == 400
    assert AuditEvent.objects.count() == before
    case.refresh_from_db()
    assert case.stage == "submitted"


def test_the_page_links_keep_the_filters_set_and_only_those(
    browser: Client, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 1)
    made = [story.submitted() for _ in range(3)]

    first = get(browser, story.cast.hr, CASES, "stage=submitted&outcome=&org_unit=DEP-ED")
    html = first.content.decode()
    assert first.status_code == 200
    assert '<nav aria-label="Pages"' in html
    page = first.context["page"]
    assert page.newer is None
    assert f'href="?stage=submitted&amp;org_unit=DEP-ED&amp;cursor={page.older}"' in html
    assert "Newer cases" not in html

    # Older and older, newest first, each link keeping the filters set.
    seen = [c.pk for c in page]
    query = f"stage=submitted&cursor={page.older}"
    while query:
        response = get(browser, story.cast.hr, CASES, query)
        page, text = response.context["page"], response.content.decode()
        seen += [c.pk for c in page]
        assert f'href="?stage=submitted&amp;cursor={page.newer}"' in text  # back a page
        assert 'href="?stage=submitted">First page</a>' in text
        query = f"stage=submitted&cursor={page.older}" if page.older else ""
    assert seen == [c.pk for c in reversed(made)]

    # And back again from the last page to the first.
    back = get(browser, story.cast.hr, CASES, f"stage=submitted&cursor={page.newer}")
    assert [c.pk for c in back.context["page"]] == [made[1].pk]
