"""The case list's search box, sortable columns and download (web/cases.py,
web/case_export.py): what is searched and sorted stays in every link, a
sort or search the list does not offer is a 400 naming it, and HR's download
holds the list as filtered and sorted, formula-safe, recorded in the log."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent, EventType
from workflow.models import Case
from workflow.services import referral_submit

from ..factories import EmployeeFactory, referral_kwargs
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

CASES = reverse("cases:list")
FORMULA = '=HYPERLINK("http://example.invalid","open me")'


def get(client: Client, user: Any, url: str, query: str = "") -> Any:
    client.force_login(user)
    return client.get(f"{url}?{query}" if query else url)


def refer(story: Story, name: str, number: str, manager: Any = None) -> Case:
    employee = EmployeeFactory.create(name=name, staff_number=number)
    return referral_submit(actor=manager or story.cast.manager, **referral_kwargs(employee))


@pytest.fixture
def named(story: Story) -> list[Case]:
    """Five cases of Maya's, oldest first, employees named out of order."""
    names = ["Cara Quill", "Abe Quill", "Eve Quill", "Bea Quill", "Dan Quill"]
    return [refer(story, name, f"Q{i:05d}") for i, name in enumerate(names)]


def listed(client: Client, user: Any, query: str) -> list[int]:
    response = get(client, user, CASES, query)
    assert response.status_code == 200, response.content.decode()[:300]
    return [c.pk for c in response.context["page"]]


# --- search and sort ---------------------------------------------------------------


def test_the_search_box_narrows_the_list(client: Client, story: Story, named: list[Case]) -> None:
    other = refer(story, "Zed Other", "Z00001")

    assert listed(client, story.cast.hr, "q=quill") == [c.pk for c in reversed(named)]
    assert listed(client, story.cast.hr, "q=Z00001") == [other.pk]
    assert listed(client, story.cast.hr, f"q={named[2].reference}") == [named[2].pk]
    html = get(client, story.cast.hr, CASES, "q=nobody-here").content.decode()
    assert "No cases you may see match “nobody-here”" in html
    # The box shows what was searched for.
    assert 'name="q" value="quill"' in get(client, story.cast.hr, CASES, "q=quill").content.decode()


def test_a_manager_cannot_search_their_way_to_another_managers_case(
    client: Client, story: Story
) -> None:
    theirs = refer(story, "Hidden Person", "H00001", manager=story.cast.other_manager)
    for text in ("Hidden", "H00001", theirs.reference, "omar"):
        assert listed(client, story.cast.manager, f"q={text}") == []
    assert listed(client, story.cast.other_manager, "q=Hidden") == [theirs.pk]


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("", "submitted_at", True),
        ("submitted", "submitted_at", False),
        ("-submitted", "submitted_at", True),
        ("reference", "reference", False),
        ("-reference", "reference", True),
        ("employee", "employee_name", False),
        ("-employee", "employee_name", True),
    ],
)
def test_each_column_sorts_both_ways(
    client: Client, story: Story, named: list[Case], sort: str, key: str, reverse: bool
) -> None:
    expected = sorted(named, key=lambda c: (getattr(c, key), c.pk), reverse=reverse)
    assert listed(client, story.cast.hr, f"sort={sort}") == [c.pk for c in expected]


def test_a_column_heading_sorts_by_it_and_then_reverses(
    client: Client, story: Story, named: list[Case]
) -> None:
    html = get(client, story.cast.hr, CASES, "q=quill&stage=submitted").content.decode()
    # Unsorted columns start A to Z; the date newest first (the list's default).
    assert 'href="?stage=submitted&amp;q=quill&amp;sort=employee"' in html
    assert (
        'aria-sort="descending"><a href="?stage=submitted&amp;q=quill&amp;sort=submitted"' in html
    )
    sorted_html = get(client, story.cast.hr, CASES, "q=quill&sort=employee").content.decode()
    assert 'aria-sort="ascending"><a href="?q=quill&amp;sort=-employee"' in sorted_html
    # Filtering again keeps the sort.
    assert '<input type="hidden" name="sort" value="employee">' in sorted_html


def test_paging_keeps_search_and_sort_and_walks_every_match(
    client: Client, story: Story, named: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.cases.PAGE_SIZE", 2)
    refer(story, "Not Matching", "N00001")
    seen: list[int] = []
    query = "q=quill&sort=employee"
    while True:
        response = get(client, story.cast.hr, CASES, query)
        page = response.context["page"]
        seen += [c.pk for c in page]
        if page.older is None:
            break
        assert f'href="?q=quill&amp;sort=employee&amp;cursor={page.older}"' in (
            response.content.decode()
        )
        query = f"q=quill&sort=employee&cursor={page.older}"
    assert seen == [c.pk for c in sorted(named, key=lambda c: c.employee_name)]
    # And back a page, in the same order.
    back = get(client, story.cast.hr, CASES, f"q=quill&sort=employee&cursor={page.newer}")
    assert [c.employee_name for c in back.context["page"]] == ["Cara Quill", "Dan Quill"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("sort=banana", "Sort"),
        ("sort=due", "Sort"),
        # A NUL anywhere is refused before any form reads it.
        ("sort=%00", "could not be understood"),
        ("q=" + "x" * 101, "Search"),
        ("q=grace%00", "could not be understood"),
        ("q=a%1Fb", "Search"),
    ],
)
def test_a_sort_or_search_the_list_does_not_offer_is_a_400_naming_it(
    story: Story, query: str, named: str
) -> None:
    story.submitted()
    browser = Client(raise_request_exception=False)
    response = get(browser, story.cast.hr, CASES, query)
    assert response.status_code == 400
    body = response.content.decode()
    assert named in body
    if query.startswith("sort=b"):
        assert "sorted by submitted date, reference or employee" in body


# --- the download ----------------------------------------------------------------


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response: Any) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def export(client: Client, user: Any, fmt: str, query: str = "") -> Any:
    return get(client, user, reverse("cases:list_export", args=[fmt]), query)


@pytest.mark.parametrize(("fmt", "read"), [("csv", csv_rows), ("xlsx", xlsx_rows)])
def test_hr_downloads_the_list_as_filtered_and_sorted_and_it_is_recorded(
    client: Client, story: Story, named: list[Case], fmt: str, read: Any
) -> None:
    refer(story, "Not Matching", "N00001")
    response = export(client, story.cast.hr, fmt, "q=quill&sort=-employee&stage=submitted")
    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
    header, *rows = read(response)
    assert header[:3] == ["Reference", "Employee", "Staff number"]
    expected = sorted(named, key=lambda c: c.employee_name, reverse=True)
    assert [r[0] for r in rows] == [c.reference for c in expected]
    assert [r[3] for r in rows] == ["Emergency Department"] * 5
    assert rows[0][9] == "maya.manager"

    event = AuditEvent.objects.filter(action=EventType.EXPORT).get()
    assert (event.actor, event.case) == (story.cast.hr, None)
    assert event.payload == {
        "kind": "case_list",
        "format": fmt,
        "filters": {"stage": "submitted", "q": "quill", "sort": "-employee"},
        "rows": 5,
    }


def test_a_name_that_looks_like_a_formula_stays_text(client: Client, story: Story) -> None:
    refer(story, FORMULA, "F00001")

    (_, row) = csv_rows(export(client, story.cast.hr, "csv"))
    assert row[1] == "'" + FORMULA  # the quote makes a spreadsheet read text
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(export(client, story.cast.hr, "xlsx").streaming_content))
    ).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


@pytest.mark.parametrize("who", ["manager", "director", "panel_a", "governance", "outsider"])
def test_only_hr_may_download_and_a_refusal_records_nothing(
    client: Client, story: Story, who: str
) -> None:
    story.submitted()
    for fmt in ("csv", "xlsx"):
        assert export(client, getattr(story.cast, who), fmt).status_code == 403
    assert not AuditEvent.objects.filter(action=EventType.EXPORT).exists()
    # The list offers them no download link.
    html = get(client, getattr(story.cast, who), CASES).content.decode()
    assert "list_export" not in html
    assert "export.csv" not in html


def test_the_list_offers_hr_the_download_with_its_filters(client: Client, story: Story) -> None:
    story.submitted()
    html = get(client, story.cast.hr, CASES, "q=x&sort=reference").content.decode()
    assert 'href="/cases/all/export.csv?q=x&amp;sort=reference"' in html


def test_a_bad_download_is_refused_and_not_recorded(client: Client, story: Story) -> None:
    story.submitted()
    browser = Client(raise_request_exception=False)
    assert export(browser, story.cast.hr, "csv", "sort=banana").status_code == 400
    assert export(browser, story.cast.hr, "pdf").status_code == 404
    anonymous = Client().get(reverse("cases:list_export", args=["csv"]))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert not AuditEvent.objects.filter(action=EventType.EXPORT).exists()


def test_close_matches_are_said_to_be_close(client: Client, story: Story) -> None:
    """A misspelt name finds the close names, and the page says that no case
    contains what was typed; an exact match says nothing of the kind."""
    grace = refer(story, "Grace Okonkwo", "K00001")
    response = get(client, story.cast.hr, CASES, "q=Okonkow")
    assert [c.pk for c in response.context["page"]] == [grace.pk]
    html = response.content.decode()
    assert 'data-testid="close-matches"' in html
    assert "No case you may see contains “Okonkow”" in html
    exact = get(client, story.cast.hr, CASES, "q=Okonkwo").content.decode()
    assert 'data-testid="close-matches"' not in exact
    # Nothing close either: the empty list's own words, no close-match note.
    nothing = get(client, story.cast.hr, CASES, "q=Zzyzx").content.decode()
    assert 'data-testid="close-matches"' not in nothing
    assert "No cases you may see match “Zzyzx”" in nothing
