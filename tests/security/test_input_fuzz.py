"""Property-based: whatever anyone puts in the query string of any list page,
the answer is never a 5xx, and a refused request records nothing.

For every page that reads GET parameters (the case list, the inbox, the audit
search and its exports, the governance pack and its downloads, the
notifications, the panels pages, the convene prefill and the API's list),
logged in as HR and as a referring manager, hypothesis sends any mix of that
page's parameters (and a stray one) with any text: NUL and other control
characters, odd Unicode, very long strings, far and malformed dates, huge and
negative numbers, bytes that are not UTF-8, and now and then a good value so
that the filters really run. The answer must be one the page gives by design:
200 or 400 (403 where the role is refused, 302/404/409 where the page says
so), and a 400 writes no audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_from_bytes

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from workflow.models import Case, Outcome, Stage

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    name: str
    params: tuple[str, ...]
    # Statuses the page gives by design, by who asks (besides 400 for bad input).
    hr: frozenset[int] = frozenset({200})
    manager: frozenset[int] = frozenset({200})
    good: dict[str, list[str]] = field(default_factory=dict)


DATES = ["2026-11-02", "2000-01-01", "2100-12-31"]
GOOD_FILTERS = {
    "stage": [s.value for s in Stage],
    "outcome": [o.value for o in Outcome],
    "org_unit": ["DEP-ED", "TRUST"],
    "page": ["1", "2"],
    # A keyset cursor as the product writes it (["a", id]), and a stale one.
    "cursor": ["WyJhIiwxXQ", "WyJiIiwiMjAyNi0xMS0wMlQxMjowMDowMCswMDowMCIsNV0"],
}
PACK = {"year": ["2024", "2025"], "window": ["1", "2"], "start": DATES, "end": DATES}
AUDIT = {"case": ["FTP-2026-00001"], "actor": ["hana.hr"], "action": ["triage"], "stage": ["panel"]}

REFUSED = frozenset({403})
PAGES = [
    Page("cases:list", ("stage", "org_unit", "outcome", "cursor"), good=GOOD_FILTERS),
    Page("cases:inbox", ("cursor",), good=GOOD_FILTERS),
    Page("notifications:list", ("cursor",), good=GOOD_FILTERS),
    Page(
        "audit:index",
        ("case", "actor", "action", "stage", "date_from", "date_to", "cursor"),
        manager=REFUSED,
        good={**AUDIT, "date_from": DATES, "date_to": DATES, "cursor": GOOD_FILTERS["cursor"]},
    ),
    Page(
        "audit:export:csv",
        ("case", "actor", "action", "stage", "date_from", "date_to"),
        manager=REFUSED,
        good={**AUDIT, "date_from": DATES, "date_to": DATES},
    ),
    Page(
        "audit:export:xlsx",
        ("case", "actor", "action", "stage", "date_from", "date_to"),
        manager=REFUSED,
        good={**AUDIT, "date_from": DATES, "date_to": DATES},
    ),
    Page(
        "reports:governance",
        ("year", "window", "start", "end", "preview"),
        manager=REFUSED,
        good={**PACK, "preview": ["on", ""]},
    ),
    Page(
        "reports:governance_export:csv",
        ("year", "window", "start", "end"),
        manager=REFUSED,
        good=PACK,
    ),
    Page(
        "reports:governance_export:xlsx",
        ("year", "window", "start", "end"),
        manager=REFUSED,
        good=PACK,
    ),
    Page("cases:panels", ("convene", "views"), manager=REFUSED, good={"views": ["1", "2"]}),
    Page("cases:my_panels", ("cursor",), hr=REFUSED, manager=REFUSED, good=GOOD_FILTERS),
    # HR may convene the seeded case; a manager may not (409, no form at all).
    Page("convene", ("members", "chair"), manager=frozenset({409}), good={"members": ["1"]}),
    # The seeded panel case's notes (web/case_notes.py): its manager reads them too.
    Page("case_notes", ("cursor",), good=GOOD_FILTERS),
    # The API: keyset pages, so no page is "past the last" (a stale cursor is a page).
    Page(
        "api:referrals",
        ("stage", "org_unit", "outcome", "submitted_from", "submitted_to", "cursor"),
        good={**GOOD_FILTERS, "submitted_from": DATES, "submitted_to": DATES},
    ),
]

NASTY = [
    "\x00",
    "a\x00b",
    "\x01",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "²",
    "٣",
    "9999-12-31",
    "0001-01-01",
    "1999-12-31",
    "2101-01-01",
    "2026-02-30",
    "31/12/9999",
    "9999-99-99",
    "-1",
    "0",
    "1e9",
    "99999999999999999999",
    "9" * 5000,
    "x" * 5000,
    "' OR 1=1 --",
    "%00",
    "",
    " ",
]


DATE_PARAMS = {"date_from", "date_to", "start", "end", "submitted_from", "submitted_to"}
FAR_DATES = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2100-12-31"]


def values_for(name: str, page: Page) -> st.SearchStrategy[str | bytes]:
    good = page.good.get(name, [])
    if name in DATE_PARAMS:
        # Any real date, year 1 to 9999 (hypothesis tries both ends early), as well
        # as the far ones by name: date arithmetic near date.max used to overflow.
        return st.one_of(
            st.just("9999-12-31"),  # date.max: the one whose next day overflows
            st.sampled_from(FAR_DATES),
            st.dates().map(lambda d: d.isoformat()),
            st.sampled_from(NASTY),
            st.sampled_from(good or DATES),
        )
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=60),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=200, max_size=3000),
        st.binary(max_size=20),  # not UTF-8: Django decodes it with replacement
        *([st.sampled_from(good)] if good else []),
    )


def queries(page: Page) -> st.SearchStrategy[str]:
    names = st.sampled_from([*page.params, "colour", "\x00"])
    pairs = names.flatmap(lambda n: st.tuples(st.just(n), values_for(n, page)))
    return st.lists(pairs, max_size=4).map(
        lambda items: "&".join(
            f"{quote(k)}={quote_from_bytes(v) if isinstance(v, bytes) else quote(v)}"
            for k, v in items
        )
    )


@pytest.fixture
def seeded(story: Story) -> dict[str, Any]:
    """Cases for the filters to find: submitted, closed, formal, and one
    waiting for HR to convene its panel (the convene page's prefill)."""
    story.submitted()
    story.closed()
    story.formal()
    return {"panel": story.panel()}


def url_of(page: Page, seeded: dict[str, Any]) -> str:
    if page.name == "convene":
        return reverse("cases:action", args=[seeded["panel"].pk, "convene_panel"])
    if page.name == "case_notes":
        return reverse("cases:notes", args=[seeded["panel"].pk])
    if page.name == "api:referrals":
        return "/api/v1/referrals/"
    name, _, fmt = page.name.rpartition(":") if page.name.count(":") == 2 else (page.name, "", "")
    return reverse(name, args=[fmt]) if fmt else reverse(name)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
@pytest.mark.parametrize("who", ["hr", "manager"])
def test_no_query_string_makes_a_page_fail(
    story: Story, seeded: dict[str, Any], page: Page, who: str
) -> None:
    browser = Client(raise_request_exception=False)
    browser.force_login(getattr(story.cast, who))
    url = url_of(page, seeded)
    allowed = (page.hr if who == "hr" else page.manager) | {400}
    cases = Case.objects.count()

    @given(query=queries(page))
    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: a finding is reproducible
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    def check(query: str) -> None:
        events = AuditEvent.objects.count()
        response = browser.get(f"{url}?{query}")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a download fails while it streams, if at all
        assert response.status_code in allowed, (query[:300], response.status_code)
        if response.status_code == 400:
            assert AuditEvent.objects.count() == events, query[:300]

    check()
    assert Case.objects.count() == cases
