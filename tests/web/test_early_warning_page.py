"""The early warning page (/reports/early-warning/), its CSV and its section
of the governance pack, as HR and a governance viewer see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.types import Actor
from audit.models import AuditEvent, EventType
from reports import early_warning_report
from reports.early_warning_snapshot import early_warning_snapshot_compute
from reports.models import EarlyWarningSnapshot
from staff.models import OrgUnit
from tests.factories import EmployeeFactory, OrgUnitFactory

from ..reports.conftest import refer, three_managers

AS_AT = dt.date(2025, 3, 31)
URL = "/reports/early-warning/?as_at=2025-03-31&window=24"
COMPUTE = "/reports/early-warning/compute/"
CSV_URL = "/reports/early-warning/export.csv?as_at=2025-03-31&window=24"
MANAGERS = ("ZM-ONE", "ZM-TWO", "ZM-THREE", "Zara Oneill", "Zeb Twomey", "Zoe Threlfall")


@pytest.fixture
def figures(cast):
    """The early warning's worked trust (tests/reports/conftest.py,
    ``three_managers``): ZM-ONE in ED, ZM-TWO in AMU, ZM-THREE in Theatres;
    computed as the nightly run would."""
    units = {code: OrgUnit.objects.get(code=code) for code in ("DEP-ED", "DEP-AMU", "DEP-THE")}
    three_managers(
        units["DEP-ED"],
        units["DEP-AMU"],
        units["DEP-THE"],
        [("ZM-ONE", "Zara Oneill"), ("ZM-TWO", "Zeb Twomey"), ("ZM-THREE", "Zoe Threlfall")],
    )
    early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    return units


def get(client: Client, user: Actor, url: str = URL, status: int = 200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def table_rows(html: str) -> dict[str, list[str]]:
    """The table's rows by key: each cell's text."""
    out = {}
    for key, body in re.findall(
        r'<tr data-level="[a-z]+" data-key="([^"]+)">(.*?)</tr>', html, re.S
    ):
        out[key] = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)
        ]
    return out


def test_the_url_is_next_to_the_governance_pack():
    assert reverse("reports:early_warning") == "/reports/early-warning/"
    assert reverse("reports:early_warning_export") == "/reports/early-warning/export.csv"


def test_hr_sees_managers_by_staff_number_and_name_and_every_count(client, cast, figures):
    html = get(client, cast.hr)
    rows = table_rows(html)
    assert rows["ZM-ONE"][:6] == [
        "Referring manager",
        "ZM-ONE",
        "Zara Oneill",
        "12",
        "10",
        "83.33%",
    ]
    assert rows["DEP-AMU"][3] == "3"
    assert "suppressed" not in "".join(c for r in rows.values() for c in r)
    charts = re.findall(r'<svg role="img" aria-labelledby="(ewchart\d+)-title \1-desc"', html)
    assert len(charts) == 3
    for chart in charts:
        assert f'<title id="{chart}-title">Funnel plot' in html
        assert re.search(rf'<desc id="{chart}-desc">[^<]*95% limits', html)
    assert "Referring managers</h3>" in html
    assert 'value="manager"' in html
    assert "Spiegelhalter" in html
    assert "The band in the table is not the funnel" in html


def test_a_governance_viewer_never_sees_a_manager_or_a_small_count(client, cast, figures):
    html = get(client, cast.governance)
    for secret in MANAGERS:
        assert secret not in html
    assert 'value="manager"' not in html
    assert 'data-level="manager"' not in html
    rows = table_rows(html)
    assert set(rows) == {"ICSU-MED", "ICSU-SUR", "DEP-ED", "DEP-AMU", "DEP-THE"}
    for cells in rows.values():
        for count in cells[3:5]:
            assert count == "suppressed" or not 0 < int(count) < 5, cells
    assert rows["DEP-AMU"][3] == "suppressed"
    assert rows["DEP-ED"][3:9] == [
        "12",
        "suppressed",
        "suppressed",
        "6.00",
        "suppressed",
        "suppressed",
    ]
    assert len(re.findall(r'<svg role="img" aria-labelledby="ewchart', html)) == 2
    # The plot draws no point whose count is suppressed.
    assert "<title>DEP-ED:" not in html
    assert "<title>DEP-THE: 0 of 6 referrals" in html
    assert 'data-testid="suppression-note"' in html
    assert "Units only, small numbers suppressed" in html


def test_a_governance_viewer_asking_for_managers_is_refused_with_the_form(client, cast, figures):
    html = get(client, cast.governance, URL + "&level=manager", status=400)
    assert "Select a valid choice" in html
    assert "ZM-ONE" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_at=2025-13-01", "Enter a valid date"),
        ("as_at=1999-12-31", "between 2000 and 2100"),
        ("as_at=", "Enter the date the window ends on"),
        ("window=0", "greater than or equal to 1"),
        ("window=121", "less than or equal to 120"),
        ("window=two", "Enter a whole number"),
        ("page=0", "greater than or equal to 1"),
        ("page=9", "There is only 1 page"),
        ("level=nobody", "Select a valid choice"),
        ("as_at=2025-03-31%00", "Null characters are not allowed"),
    ],
)
def test_bad_input_is_a_400_naming_the_error(client, cast, figures, query, message):
    html = get(client, cast.hr, f"/reports/early-warning/?{query}", status=400)
    assert message in html
    assert 'data-testid="early-warning-table"' not in html


def test_the_defaults_are_the_latest_computed_day_and_24_months(client, cast, figures):
    html = get(client, cast.hr, "/reports/early-warning/")
    assert 'name="window" value="24"' in html
    assert 'name="as_at" value="2025-03-31"' in html
    assert "24 months" in html
    assert 'data-testid="computed-at"' in html


def test_hr_is_offered_to_compute_a_day_not_yet_computed(client, cast, figures):
    html = get(client, cast.hr, "/reports/early-warning/?as_at=2025-02-28&window=12")
    assert 'data-testid="not-computed"' in html
    assert 'data-testid="early-warning-table"' not in html
    assert 'name="as_at" value="2025-02-28"' in html
    response = client.post(COMPUTE, {"as_at": "2025-02-28", "window": "12"})
    assert response.status_code == 302
    assert response["Location"] == "/reports/early-warning/?as_at=2025-02-28&window=12"
    snapshot = EarlyWarningSnapshot.objects.get(as_at=dt.date(2025, 2, 28), window_months=12)
    assert snapshot.reason == EarlyWarningSnapshot.Reason.REQUESTED
    rows = table_rows(get(client, cast.hr, response["Location"]))
    assert rows["ZM-ONE"][2] == "Zara Oneill"


def test_computing_again_replaces_the_days_figures(client, cast, figures):
    first = EarlyWarningSnapshot.objects.get(as_at=AS_AT, window_months=24)
    unit = OrgUnit.objects.get(code="DEP-AMU")
    refer(EmployeeFactory(staff_number="ZM-NEW", name="Zed New", org_unit=unit), unit, "A", 1)
    assert "ZM-NEW" not in get(client, cast.hr)
    client.post(COMPUTE, {"as_at": "2025-03-31", "window": "24"})
    assert not EarlyWarningSnapshot.objects.filter(pk=first.pk).exists()
    assert "ZM-NEW" in get(client, cast.hr)


def test_governance_may_not_compute_and_bad_input_is_a_400(client, cast, figures):
    client.force_login(cast.governance)
    assert client.post(COMPUTE, {"as_at": "2025-02-28", "window": "12"}).status_code == 403
    client.force_login(cast.hr)
    future = client.post(COMPUTE, {"as_at": "2099-01-01", "window": "24"})
    assert future.status_code == 400
    assert "computed up to today" in future.content.decode()
    assert client.post(COMPUTE, {"as_at": "2025-02-28", "window": "0"}).status_code == 400
    assert client.get(COMPUTE).status_code == 405
    assert not EarlyWarningSnapshot.objects.exclude(as_at=AS_AT).exists()


def test_a_download_of_a_day_not_computed_is_a_400_saying_so(client, cast, figures):
    client.force_login(cast.hr)
    response = client.get("/reports/early-warning/export.csv?as_at=2025-02-28&window=12")
    assert response.status_code == 400
    assert "has not been computed" in response.content.decode()


def test_the_table_is_paged(client, cast, figures, monkeypatch):
    monkeypatch.setattr(early_warning_report, "PAGE_SIZE", 3)
    first = get(client, cast.hr)
    assert len(table_rows(first)) == 3
    assert "page=2" in first
    assert "Next page" in first
    assert "Previous page" not in first
    assert "page 1 of 3" in first
    last = get(client, cast.hr, URL + "&page=3")
    assert len(table_rows(last)) == 2
    assert "Previous page" in last
    assert "Next page" not in last
    managers = get(client, cast.hr, URL + "&level=manager")
    assert set(table_rows(managers)) == {"ZM-ONE", "ZM-TWO", "ZM-THREE"}


def test_the_pages_queries_do_not_grow_with_the_units(client, cast, figures):
    def queries() -> int:
        client.force_login(cast.hr)
        client.get(URL)  # warm the session and the policy
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    before = queries()
    medicine = OrgUnit.objects.get(code="ICSU-MED")
    for i in range(30):
        unit = OrgUnitFactory.create(
            code=f"DEP-X{i}", name=f"Ward {i}", kind="department", parent=medicine
        )
        refer(EmployeeFactory(staff_number=f"ZX-{i}", org_unit=unit), unit, "N", 1)
    early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    assert queries() == before


def test_a_page_reads_one_page_of_managers_however_many_there_are(
    client, cast, figures, monkeypatch
):
    """The page and the funnel read a bounded number of managers' rows from
    the snapshot: with 3 managers or 33, the same queries, and no more rows
    in the table than a page."""
    monkeypatch.setattr(early_warning_report, "PAGE_SIZE", 5)
    monkeypatch.setattr(early_warning_report, "MAX_POINTS", 4)

    def queries() -> tuple[int, str]:
        client.force_login(cast.hr)
        client.get(URL)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL + "&level=manager")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    before, _ = queries()
    unit = OrgUnit.objects.get(code="DEP-THE")
    for i in range(30):
        manager = EmployeeFactory(staff_number=f"ZY-{i}", org_unit=unit)
        refer(manager, unit, "A", 1)
    early_warning_snapshot_compute(as_at=AS_AT, window_months=24)
    after, html = queries()
    assert after == before
    assert len(table_rows(html)) == 5
    assert "page 1 of 7" in html
    assert "only the 4 with the lowest p-values are drawn" in html


def read_csv(client: Client, user: Actor, url: str = CSV_URL) -> list[list[str]]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="early-warning-20250331-24m.csv"' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(body_of(response))))


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_hrs_csv_has_every_level_and_is_audited(client, cast, figures):
    rows = read_csv(client, cast.hr)
    assert rows[0][:4] == ["level", "key", "name", "n"]
    managers = {r[1]: r for r in rows[1:] if r[0] == "manager"}
    assert managers["ZM-ONE"][2:5] == ["Zara Oneill", "12", "10"]
    event = AuditEvent.objects.filter(action=EventType.EXPORT).latest("pk")
    assert event.payload["kind"] == "early_warning"
    assert event.payload["suppressed"] is False
    assert event.payload["levels"] == ["icsu", "department", "manager"]


def test_governances_csv_is_suppressed_with_no_manager(client, cast, figures):
    client.force_login(cast.governance)
    body = body_of(client.get(CSV_URL))
    for secret in MANAGERS:
        assert secret not in body
    rows = read_csv(client, cast.governance)
    assert {r[0] for r in rows[1:]} == {"icsu", "department"}
    for row in rows[1:]:
        for count in row[3:5]:
            assert count == "[c]" or not 0 < int(count) < 5, row
    ed = next(r for r in rows if r[1] == "DEP-ED")
    assert ed[3:5] == ["12", "[c]"]
    event = AuditEvent.objects.filter(action=EventType.EXPORT).latest("pk")
    assert event.payload["suppressed"] is True
    assert event.payload["levels"] == ["icsu", "department"]


def test_a_bad_download_is_a_400_and_not_audited(client, cast, figures):
    client.force_login(cast.hr)
    before = AuditEvent.objects.filter(action=EventType.EXPORT).count()
    response = client.get("/reports/early-warning/export.csv?window=0")
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action=EventType.EXPORT).count() == before


@pytest.mark.parametrize("who", ["manager", "panel_a", "outsider"])
def test_people_who_may_not_see_the_pack_are_refused(client, cast, figures, who):
    get(client, getattr(cast, who), status=403)
    get(client, getattr(cast, who), CSV_URL, status=403)


def test_the_anonymous_are_sent_to_log_in(client, figures):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_menu_and_the_pack_link_to_it(client, cast, figures):
    html = get(client, cast.governance, "/reports/governance/?year=2024&window=2")
    assert 'href="/reports/early-warning/"' in html
    assert "/reports/early-warning/?as_at=2025-03-31&amp;window=24" in html


@pytest.mark.parametrize("who", ["governance", "hr"])
def test_the_pack_shows_the_units_funnel_and_never_a_manager(client, cast, figures, who):
    html = get(client, getattr(cast, who), "/reports/governance/?year=2024&window=2")
    assert 'id="early-warning"' in html
    assert 'data-testid="pack-early-warning"' in html
    assert len(re.findall(r'<svg role="img" aria-labelledby="ewchart', html)) == 2
    for secret in MANAGERS:
        assert secret not in html
    section = html.split('id="early-warning"')[1].split('id="method"')[0]
    if who == "governance":
        assert "Small counts are suppressed" in section
        # DEP-ED (warning) has a suppressed BME count: no band, so not listed.
        assert 'data-key="DEP-ED"' not in section
    else:
        assert 'data-key="DEP-ED"' in section
