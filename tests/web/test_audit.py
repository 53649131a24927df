"""The case-path explorer, as HR and decision-makers use it and everyone else
is refused: one case's timeline, search across cases, and audited exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent, EventType
from audit.services import audit_record
from audit.verify import verify_log
from staff.ethnicity import EthnicCategory
from workflow.services import case_triage, referral_withdraw

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
REFUSED = ["manager", "panel_a", "governance", "outsider"]
EXPLORERS = ["hr", "director"]


def on(day: str) -> Any:
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=LONDON))


def get(client: Client, user: Any, url: str, **params: str) -> Any:
    client.force_login(user)
    return client.get(url, params)


def urls(case_id: int) -> list[str]:
    return [
        reverse("cases:path", args=[case_id]),
        reverse("audit:index"),
        reverse("audit:export", args=["csv"]),
        reverse("audit:export", args=["xlsx"]),
    ]


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response: Any) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- who may explore --------------------------------------------------------


def test_the_anonymous_are_sent_to_log_in(client: Client, story: Story) -> None:
    case = story.submitted()
    for url in urls(case.pk):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", REFUSED)
def test_other_roles_are_refused_and_nothing_is_recorded(
    client: Client, story: Story, who: str
) -> None:
    case = story.submitted()
    before = AuditEvent.objects.count()
    for url in urls(case.pk):
        assert get(client, getattr(story.cast, who), url).status_code == 403, url
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("who", EXPLORERS)
def test_hr_and_decision_makers_may_explore(client: Client, story: Story, who: str) -> None:
    case = story.submitted()
    for url in urls(case.pk):
        assert get(client, getattr(story.cast, who), url).status_code == 200, url


def test_an_unknown_case_is_404(client: Client, story: Story) -> None:
    assert get(client, story.cast.hr, reverse("cases:path", args=[999999])).status_code == 404


@pytest.mark.parametrize(("who", "shown"), [("hr", True), ("director", True), ("manager", False)])
def test_the_case_page_and_menu_link_to_the_explorer_for_explorers_only(
    client: Client, story: Story, who: str, shown: bool
) -> None:
    case = story.submitted()
    body = get(client, getattr(story.cast, who), reverse("cases:detail", args=[case.pk]))
    html = body.content.decode()
    assert (reverse("cases:path", args=[case.pk]) in html) is shown
    assert (f'href="{reverse("audit:index")}"' in html) is shown


# --- one case's path --------------------------------------------------------


def test_the_timeline_shows_every_event_the_stays_and_the_chart(
    client: Client, story: Story
) -> None:
    with on("2026-11-02"):
        case = story.submitted()
    with on("2026-11-04"):
        case_triage(case_id=case.pk, actor=story.cast.hr, route="panel", reason="A pattern.")
        get(client, story.cast.director, reverse("cases:detail", args=[case.pk]))
    with on("2026-12-03"):
        response = get(client, story.cast.hr, reverse("cases:path", args=[case.pk]))
    html = response.content.decode()
    timeline = html.split('data-testid="timeline"')[1]
    for label in ("Referral submitted", "Triage", "Special-category data shown", "A pattern."):
        assert label in timeline
    assert story.cast.director.username in timeline
    stays = html.split('data-testid="stays"')[1].split("</tbody>")[0]
    assert "Submitted" in stays
    assert "Fair Treatment Panel" in stays
    assert 'data-testid="over-limit">21 (over the limit)' in stays  # 15 allowed at panel
    stays_seen = [
        (s.stage, s.working_days, s.over_limit) for s in response.context["timeline"].stays
    ]
    assert stays_seen == [("submitted", 2, False), ("panel", 21, True)]
    assert "<svg" in html


# --- search across cases ----------------------------------------------------


@pytest.fixture
def two_cases(story: Story) -> tuple[Any, Any]:
    with on("2026-11-02"):
        formal = story.formal()
    with on("2026-11-10"):
        open_case = story.panel()
    with on("2026-11-12"):
        audit_record(case=None, actor=None, action=EventType.IMPORT, payload={"kind": "x"})
    return formal, open_case


def listed(client: Client, user: Any, **filters: str) -> list[tuple[str, str]]:
    """(case reference, event) for each listed event, newest first."""
    response = get(client, user, reverse("audit:index"), **filters)
    assert response.status_code == 200
    return [(e.case.reference if e.case else "", e.action) for e in response.context["page"]]


# The formal path's milestones, in order (the panel's own steps may add more).
FORMAL_PATH = ["submit", "triage", "convene_panel", "decide", "signoff"]


def expected(**lookup: Any) -> list[tuple[str, str]]:
    """What the search should list for ``lookup``, newest first, read directly."""
    events = AuditEvent.objects.filter(**lookup).select_related("case").order_by("-seq")
    return [(e.case.reference if e.case else "", e.action) for e in events]


def in_order(milestones: list[str], actions: list[str]) -> bool:
    remaining = iter(actions)
    return all(m in remaining for m in milestones)


def test_search_filters_by_case(client: Client, story: Story, two_cases: Any) -> None:
    formal, _ = two_cases
    found = listed(client, story.cast.hr, case=formal.reference.lower())
    assert found == expected(case=formal)
    assert in_order(FORMAL_PATH, [a for _, a in reversed(found)])


def test_search_filters_by_actor_event_and_stage(
    client: Client, story: Story, two_cases: Any
) -> None:
    formal, open_case = two_cases
    hr = story.cast.hr
    by_hr = listed(client, hr, actor=hr.username.upper())
    assert by_hr == expected(actor=hr)
    assert {"triage", "convene_panel"} <= {a for _, a in by_hr}
    assert listed(client, hr, action="triage") == [
        (open_case.reference, "triage"),
        (formal.reference, "triage"),
    ]
    at_signoff = listed(client, hr, stage="signoff")
    assert at_signoff == expected(from_stage="signoff") + expected(to_stage="signoff")
    assert at_signoff == [(formal.reference, "signoff"), (formal.reference, "decide")]


def test_search_filters_by_date_range(client: Client, story: Story, two_cases: Any) -> None:
    _, open_case = two_cases
    found = listed(client, story.cast.hr, date_from="2026-11-09", date_to="2026-11-10")
    assert found == [(open_case.reference, "triage"), (open_case.reference, "submit")]
    assert listed(client, story.cast.hr, date_from="2026-11-12") == [("", "import")]


def test_a_backwards_date_range_is_explained(client: Client, story: Story) -> None:
    response = get(
        client, story.cast.hr, reverse("audit:index"), date_from="2026-11-10", date_to="2026-11-01"
    )
    assert response.status_code == 400
    assert "before the start date" in response.content.decode()


def _search_queries(client: Client, user: Any) -> int:
    client.force_login(user)
    client.get(reverse("audit:index"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("audit:index")).status_code == 200
    return len(ctx.captured_queries)


def test_the_search_page_costs_the_same_queries_as_the_log_grows(
    client: Client, story: Story
) -> None:
    story.formal()
    small = _search_queries(client, story.cast.hr)
    for _ in range(12):
        story.formal()
    assert AuditEvent.objects.count() > 60  # more than one page
    assert _search_queries(client, story.cast.hr) == small


# --- exports ----------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "read"), [("csv", csv_rows), ("xlsx", xlsx_rows)])
def test_an_export_holds_the_filtered_events_and_is_itself_audited(
    client: Client, story: Story, two_cases: Any, fmt: str, read: Any
) -> None:
    formal, _ = two_cases
    url = reverse("audit:export", args=[fmt])
    response = get(client, story.cast.director, url, case=formal.reference)
    assert response.status_code == 200
    assert f".{fmt}" in response["Content-Disposition"]
    header, *rows = read(response)
    assert header[:5] == ["seq", "at", "case", "actor", "event"]
    events = AuditEvent.objects.filter(case=formal).order_by("seq")
    assert [r[4] for r in rows] == list(events.values_list("action", flat=True))  # oldest first
    assert in_order(FORMAL_PATH, [r[4] for r in rows])
    assert {r[2] for r in rows} == {formal.reference}
    assert [int(r[0]) for r in rows] == list(events.values_list("seq", flat=True))
    assert [r[9] for r in rows] == list(events.values_list("hash", flat=True))

    export = AuditEvent.objects.latest("seq")
    assert (export.action, export.actor, export.case) == ("export", story.cast.director, None)
    assert export.payload["format"] == fmt
    assert export.payload["filters"] == {"case": formal.reference}
    assert export.payload["rows"] == len(rows) == events.count()
    assert verify_log().intact


@pytest.fixture
def formula_reason(story: Story) -> str:
    """A withdrawal whose free-text reason a spreadsheet would run as a formula."""
    case = story.submitted()
    reason = '=HYPERLINK("http://example.invalid","open me")'
    referral_withdraw(case_id=case.pk, actor=story.cast.manager, reason=reason)
    return reason


def test_free_text_never_becomes_a_formula_in_csv(
    client: Client, story: Story, formula_reason: str
) -> None:
    url = reverse("audit:export", args=["csv"])
    (_, row) = csv_rows(get(client, story.cast.hr, url, action="withdraw"))
    assert row[7] == "'" + formula_reason  # the quote makes a spreadsheet read text


def test_free_text_never_becomes_a_formula_in_xlsx(
    client: Client, story: Story, formula_reason: str
) -> None:
    url = reverse("audit:export", args=["xlsx"])
    response = get(client, story.cast.hr, url, action="withdraw")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=8)
    assert (cell.value, cell.data_type) == (formula_reason, "s")


def test_no_ethnic_category_reaches_an_export(client: Client, story: Story) -> None:
    case = story.formal()
    for user in (story.cast.hr, story.cast.director):
        get(client, user, reverse("cases:detail", args=[case.pk]))  # shows and records it
    assert AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).count() == 2
    rows = csv_rows(get(client, story.cast.hr, reverse("audit:export", args=["csv"])))
    text = "\n".join(",".join(r) for r in rows)
    assert "employee_ethnic_category" in text  # the field that was shown is named...
    label = EthnicCategory(case.employee_ethnic_category).label
    assert label not in text  # ...never its value
    assert '"ethnic_category": "' not in text


def test_an_export_with_bad_filters_is_refused_and_not_recorded(
    client: Client, story: Story
) -> None:
    before = AuditEvent.objects.count()
    url = reverse("audit:export", args=["csv"])
    assert get(client, story.cast.hr, url, date_from="yesterday").status_code == 400
    assert get(client, story.cast.hr, reverse("audit:export", args=["pdf"])).status_code == 404
    assert AuditEvent.objects.count() == before


# --- input at the door -------------------------------------------------------

FAR_DATES = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"]


@pytest.mark.parametrize("day", FAR_DATES)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_a_date_outside_the_sane_range_is_explained_beside_its_field(
    story: Story, day: str, field: str
) -> None:
    story.submitted()
    browser = Client(raise_request_exception=False)
    response = get(browser, story.cast.hr, reverse("audit:index"), **{field: day})

    assert response.status_code == 400
    assert "between 2000 and 2100" in response.context["form"].errors[field][0]
    assert "between 2000 and 2100" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_export_with_a_far_date_is_refused_and_not_recorded(
    story: Story, fmt: str, day: str
) -> None:
    story.submitted()
    browser = Client(raise_request_exception=False)
    before = AuditEvent.objects.count()
    url = reverse("audit:export", args=[fmt])
    for params in ({"date_from": day}, {"date_to": day}, {"date_from": day, "date_to": day}):
        response = get(browser, story.cast.hr, url, **params)
        assert response.status_code == 400, params
        assert "between 2000 and 2100" in response.content.decode()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("param", "value"),
    [("case", "FTP\x00"), ("actor", "hana\x01hr"), ("action", "\x00"), ("cursor", "\x00")],
)
def test_control_characters_in_the_search_are_a_400(story: Story, param: str, value: str) -> None:
    story.submitted()
    browser = Client(raise_request_exception=False)
    response = get(browser, story.cast.hr, reverse("audit:index"), **{param: value})
    assert response.status_code == 400


def test_the_last_day_of_the_range_still_searches(client: Client, story: Story) -> None:
    story.submitted()
    response = get(client, story.cast.hr, reverse("audit:index"), date_to="2100-12-31")
    assert response.status_code == 200
    assert len(response.context["page"].rows) == AuditEvent.objects.count()
