"""The governance pack page, as a governance viewer and HR see it, and its downloads."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.types import Actor
from audit.models import AuditEvent, EventType

URL = "/reports/governance/?year=2024&window=1"


def page(client: Client, user: Actor, url: str = URL) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, unit: str, year: int, window: int) -> list[str]:
    """The cells of one indicator table row, as text."""
    match = re.search(
        rf'<tr data-unit="{unit}" data-year="{year}" data-window="{window}">(.*?)</tr>', html, re.S
    )
    assert match, (unit, year, window)
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    ]


def test_the_url_is_reports_governance():
    assert reverse("reports:governance") == "/reports/governance/"


def test_a_governance_viewer_sees_the_pack_with_its_charts_and_tables(client, cast, worked_example):
    html = page(client, cast.governance)
    assert re.search(r"<title>\s*Governance pack", html)
    assert re.search(r"<h1>Governance pack", html)
    charts = re.findall(r'<svg role="img" aria-labelledby="(chart\d+)-title \1-desc"', html)
    assert len(charts) == 4  # indicator 3's trend and ICSUs, the funnel, the FTSU trend
    for chart in charts:
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    assert html.count("<caption>") >= 3
    for body in (
        "Staff networks",
        "Inclusion Group",
        "People Committee",
        "Workforce Assurance Committee",
        "Trust Board",
    ):
        assert body in html


def test_a_governance_viewer_sees_large_counts_and_the_ratio_beside_them(
    client, cast, worked_example
):
    trust = row(page(client, cast.governance), "TRUST", 2024, 1)
    # label, window, white entered/headcount/rate, BME ..., unknown ..., RL, CI, non-adverse
    assert trust[:8] == ["2024/25", "1-year", "17", "2,505", "0.68%", "9", "725", "1.24%"]
    assert trust[11:] == ["1.83", "0.82\u20134.09", "no"]


def test_a_governance_viewer_never_sees_a_count_under_five(client, cast, worked_example):
    html = page(client, cast.governance)
    trust = row(html, "TRUST", 2024, 1)
    assert trust[8:11] == ["suppressed", "66", "suppressed"]  # 4 unknown entries
    surgery = row(html, "ICSU-SUR", 2024, 1)
    # Two BME entries: the count, its rate and the ratio built on it are suppressed.
    assert surgery[5] == "suppressed"
    assert surgery[7] == "suppressed"
    assert surgery[11:] == ["suppressed", "suppressed", "suppressed"]
    # ...and the white count beside it could give it away through the trust's
    # total (17 = 10 + 5 + 2): one more is suppressed in that column.
    white = [row(html, u, 2024, 1)[2] for u in ("TRUST", "ICSU-MED", "ICSU-SUR")]
    assert "suppressed" in white
    assert 'data-testid="suppression-note"' in html
    assert "fewer than 5" in html


def test_hr_sees_every_count_and_may_preview_the_suppressed_pack(client, cast, worked_example):
    html = page(client, cast.hr)
    assert row(html, "TRUST", 2024, 1)[8] == "4"
    assert row(html, "ICSU-SUR", 2024, 1)[11] == "0.90"
    preview = page(client, cast.hr, URL + "&preview=on")
    assert row(preview, "TRUST", 2024, 1)[8] == "suppressed"


def submitted_row(html: str) -> list[str]:
    """The trust's "Submitted" counts: white, BME, unknown, all."""
    table = re.search(r'<table data-unit="TRUST">(.*?)</table>', html, re.S)
    assert table
    cells = re.search(r'<th scope="row">Submitted</th>(.*?)</tr>', table.group(1), re.S)
    assert cells
    return re.findall(r"<td>(.*?)</td>", cells.group(1))


def test_the_funnel_table_suppresses_small_counts_for_governance(client, cast, story):
    story.submitted()
    url = "/reports/governance/?year=2024&window=2&start=2000-01-01&end=2100-01-01"
    assert submitted_row(page(client, cast.governance, url)) == [
        "0",
        "suppressed",
        "0",
        "suppressed",
    ]
    assert submitted_row(page(client, cast.hr, url)) == ["0", "1", "0", "1"]


def test_people_without_a_reporting_role_are_refused(client, cast):
    client.force_login(cast.outsider)
    assert client.get(URL).status_code == 403
    client.force_login(cast.manager)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_a_bad_year_is_a_400_with_the_form(client, cast):
    client.force_login(cast.governance)
    assert client.get("/reports/governance/?year=banana").status_code == 400


def test_hr_gets_the_governance_pack_in_the_menu(client, cast):
    html = page(client, cast.hr)
    assert 'href="/reports/governance/"' in html


@pytest.mark.parametrize("who", ["hr", "governance"])
def test_the_csv_download_is_suppressed_for_everyone_and_recorded(
    client, cast, worked_example, who
):
    client.force_login(getattr(cast, who))
    response = client.get(
        reverse("reports:governance_export", args=["csv"]) + "?year=2024&window=1"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "section",
        "org_unit",
        "name",
        "period",
        "window",
        "group",
        "measure",
        "value",
    ]
    unknown = [
        r
        for r in rows
        if r[:6] == ["indicator3_trend", "TRUST", "Trust-wide", "2024/25", "1", "unknown"]
    ]
    assert {r[6]: r[7] for r in unknown}["entered (mean per year)"] == "[c]"
    event = AuditEvent.objects.get(action=EventType.EXPORT)
    assert event.case is None
    assert event.actor == getattr(cast, who)
    assert event.payload["kind"] == "governance_pack"
    assert event.payload["suppressed"] is True


def test_the_xlsx_download_has_a_sheet_per_section(client, cast, worked_example):
    client.force_login(cast.governance)
    response = client.get(reverse("reports:governance_export", args=["xlsx"]) + "?year=2024")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "About",
        "indicator3_trend",
        "indicator3_by_icsu",
        "suspensions",
        "funnel",
        "ftsu_by_icsu",
        "ftsu_trend",
    ]
    assert "Inclusion Group" in book["About"]["A2"].value


FAR = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"]


@pytest.mark.parametrize("day", FAR)
@pytest.mark.parametrize("field", ["start", "end"])
def test_a_funnel_date_outside_the_sane_range_is_explained_beside_its_field(cast, day, field):
    browser = Client(raise_request_exception=False)
    browser.force_login(cast.hr)
    response = browser.get(f"{URL}&{field}={day}")

    assert response.status_code == 400
    assert "between 2000 and 2100" in response.context["form"].errors[field][0]
    assert "between 2000 and 2100" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", ["start=9999-12-31", "end=9999-12-31", "end=0001-01-01"])
def test_a_download_with_a_far_date_is_refused_and_not_recorded(cast, fmt, query):
    browser = Client(raise_request_exception=False)
    browser.force_login(cast.governance)
    url = reverse("reports:governance_export", args=[fmt]) + f"?year=2024&{query}"
    response = browser.get(url)

    assert response.status_code == 400
    assert "between 2000 and 2100" in response.content.decode()
    assert not AuditEvent.objects.filter(action=EventType.EXPORT).exists()


@pytest.mark.parametrize("query", ["year=%00", "window=%00", "preview=%00", "year=2024%01"])
def test_control_characters_in_the_pack_choices_are_a_400(cast, query):
    browser = Client(raise_request_exception=False)
    browser.force_login(cast.hr)
    assert browser.get(f"/reports/governance/?{query}").status_code == 400


def test_the_downloads_hold_the_early_warning_and_ftsu_sections_as_the_page_shows_them(
    client, cast, worked_example
):
    from reports.early_warning_report import early_warning_units_report
    from reports.grouping import wres_year_end
    from speakup.report import MEASURE_LABELS, ftsu_pack_section

    client.force_login(cast.governance)
    response = client.get(reverse("reports:governance_export", args=["csv"]) + "?year=2024")
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    report = early_warning_units_report(
        as_at=wres_year_end(2024), window_months=12, suppressed=True
    )
    # The worked example flags no unit: the section has no line.
    assert not [u for u in report.units if u.band in ("alert", "warning")]
    assert not [r for r in rows if r[0] == "early_warning"]

    section = ftsu_pack_section(quarter=None, suppressed=True)
    ftsu = {(r[1], r[6]): r[7] for r in rows if r[0] == "ftsu_by_icsu"}
    for ftsu_row in section.rows:
        for measure, figure in ftsu_row.cells:
            assert ftsu[(ftsu_row.org_unit, MEASURE_LABELS[measure])] == str(figure.export())
    trend = [r for r in rows if r[0] == "ftsu_trend"]
    assert len({r[3] for r in trend}) == len(section.trend)


def test_the_downloads_list_the_units_in_alert_or_warning_as_the_page_does(
    client, cast, trust_figures
):
    from reports.early_warning_report import early_warning_units_report
    from reports.grouping import wres_year_end

    report = early_warning_units_report(
        as_at=wres_year_end(2024), window_months=24, suppressed=True
    )
    flagged = [u for u in report.units if u.band in ("alert", "warning")]
    assert flagged  # the worked trust's emergency department is in warning

    client.force_login(cast.governance)
    url = reverse("reports:governance_export", args=["csv"]) + "?year=2024&window=2"
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    early = {(r[1], r[6]): r for r in rows if r[0] == "early_warning"}

    assert {key for key, _ in early} == {u.key for u in flagged}
    for unit in flagged:
        assert early[(unit.key, "n")][7] == str(unit.n.export())
        assert early[(unit.key, "band")][7] == unit.band
        assert early[(unit.key, "n")][3:5] == ["as at 2025-03-31", "24 months"]
    html = page(client, cast.governance, "/reports/governance/?year=2024&window=2")
    for unit in flagged:
        assert f'<tr data-key="{unit.key}">' in html
