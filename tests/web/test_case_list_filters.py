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


@pytest.mark.parametrize("param", ["stage", "org_unit", "outcome", "page"])
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
        ("page=0", "Page"),
        ("page=-3", "Page"),
        ("page=two", "Page"),
        ("page=" + "9" * 5000, "Page"),
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
    assert listed("stage=&outcome=&org_unit=&page=1") == {submitted.pk, closed.pk}
    # A page past the end shows the last page, as a stale link would want.
    assert listed("page=99") == {submitted.pk, closed.pk}


@pytest.mark.parametrize("query", ["page=%00", "page=0", "page=x%01"])
def test_a_bad_inbox_page_is_a_400(browser: Client, story: Story, query: str) -> None:
    story.submitted()
    assert get(browser, story.cast.hr, INBOX, query).status_code == 400
    assert get(browser, story.cast.hr, INBOX, "page=1").status_code == 200


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
    for _ in range(3):
        story.submitted()

    first = get(browser, story.cast.hr, CASES, "stage=submitted&outcome=&org_unit=DEP-ED")
    html = first.content.decode()
    assert first.status_code == 200
    assert '<nav aria-label="Pages"' in html
    assert "Page 1 of 3" in html
    assert 'href="?stage=submitted&amp;org_unit=DEP-ED&amp;page=2">Next</a>' in html
    assert "Previous</a>" not in html

    middle = get(browser, story.cast.hr, CASES, "stage=submitted&page=2").content.decode()
    assert 'href="?stage=submitted&amp;page=1">Previous</a>' in middle
    assert 'href="?stage=submitted&amp;page=3">Next</a>' in middle

    unfiltered = get(browser, story.cast.hr, CASES, "page=2").content.decode()
    assert 'href="?page=1">Previous</a>' in unfiltered
