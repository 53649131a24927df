"""The regional pack page and its downloads: who reaches them, what they
show, and that the downloads hold the page's figures."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.trusts import SESSION_TRUST
from audit.models import AuditEvent, EventType
from regional.services import regional_refresh
from tenancy.context import trust_entered

from ..factories import make_user
from .conftest import YEAR, Region

URL = f"/regional/?year={YEAR}"
CSV_URL = f"/regional/pack.csv?year={YEAR}"
XLSX_URL = f"/regional/pack.xlsx?year={YEAR}"


@pytest.fixture
def refreshed(region: Region) -> Region:
    regional_refresh(year=YEAR)
    return region


def get(client: Client, user: Any, url: str, trust: Any = None) -> Any:
    client.force_login(user)
    if trust is not None:  # as a person with roles in several trusts chooses one
        session = client.session
        session[SESSION_TRUST] = trust.pk
        session.save()
    return client.get(url)


class Cells(HTMLParser):
    """Every figure cell of the page: (trust, section, window, group, measure) -> text."""

    def __init__(self) -> None:
        super().__init__()
        self.row: dict[str, str] = {}
        self.open: list[tuple[str, str]] = []  # (tag, key part) of open figure cells
        self.key: tuple[Any, ...] | None = None
        self.cells: dict[tuple[Any, ...], str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-trust" in a:
            self.row = a
        elif tag in ("td", "span") and "data-measure" in a and self.row:
            window = self.row.get("data-window")
            section = self.row.get("data-section") or ("indicator3" if window else "funnel")
            group = a.get("data-group", self.row.get("data-group", "") if not window else "")
            self.key = (
                self.row["data-trust"],
                section,
                int(window or 0),
                group,
                a["data-measure"],
            )
            self.cells[self.key] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "span"):
            self.key = None
        if tag == "tr":
            self.row = {}

    def handle_data(self, data: str) -> None:
        if self.key is not None:
            self.cells[self.key] += data.strip()


def page_cells(html: str) -> dict[tuple[Any, ...], str]:
    parser = Cells()
    parser.feed(html)
    cells = parser.cells
    # The interval cell holds both bounds (as spans) or one word for both.
    for key in [k for k in cells if k[4] == "ci95"]:
        text = cells.pop(key)
        if text in ("suppressed", "n/a"):
            cells[(*key[:4], "ci95_low")] = cells[(*key[:4], "ci95_high")] = text
    for key in [k for k in cells if k[4] == "ci95_high" and cells[k] == "∞"]:
        cells[key] = "n/a"
    return cells


def as_page_text(measure: str, value: Any) -> str:
    """A download's value written as the page writes it."""
    if value in ("[c]",):
        return "suppressed"
    if value in ("", None):
        return "n/a"
    if measure == "non_adverse":
        return str(value)
    number = float(value)
    if measure in ("rate", "formal_share") or measure.startswith("diverted"):
        return f"{100 * number:.2f}%"
    if measure in ("relative_likelihood", "ci95_low", "ci95_high"):
        return f"{number:.2f}"
    return f"{int(number):,}" if number.is_integer() else f"{number:,.1f}"


def download_cells(rows: list[list[Any]]) -> dict[tuple[Any, ...], str]:
    cells = {}
    for code, _name, _year, section, window, group, measure, value in rows:
        # The early warning's and FTSU's "window" names their period: 0 on the page.
        window = window if section in ("indicator3", "funnel") else 0
        cells[(code, section, int(window or 0), group or "", measure)] = as_page_text(
            measure, value
        )
    return cells


def test_the_url_is_regional():
    assert reverse("regional:index") == "/regional/"
    assert reverse("regional:export", args=["csv"]) == "/regional/pack.csv"


def test_a_regional_viewer_sees_every_sharing_trust_in_order_of_name(
    client, regional_viewer, refreshed
):
    response = get(client, regional_viewer, URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Regional benchmark" in html
    assert html.index("Other Test Trust (RBX)") < html.index("Royal Test Trust (RAL)")
    assert "RNO" not in html
    assert "Non-sharing" not in html
    assert "intervals overlap" in html


def test_the_page_shows_the_stored_figures_suppressed_where_the_trust_suppressed(
    client, regional_viewer, refreshed
):
    cells = page_cells(get(client, regional_viewer, URL).content.decode())
    assert cells[("RBX", "indicator3", 1, "", "relative_likelihood")] == "2.00"
    assert cells[("RBX", "indicator3", 1, "white", "headcount")] == "1,000"
    assert cells[("RAL", "indicator3", 1, "white", "headcount")] == "2,505"
    assert cells[("RAL", "indicator3", 1, "unknown", "entered")] == "suppressed"
    assert cells[("RAL", "funnel", 0, "white", "submitted")] == "suppressed"


def test_every_ratio_is_shown_with_its_interval(client, regional_viewer, refreshed):
    cells = page_cells(get(client, regional_viewer, URL).content.decode())
    ratios = [k for k in cells if k[4] == "relative_likelihood"]
    assert len(ratios) == 4  # two trusts, two windows
    for key in ratios:
        low, high = (*key[:4], "ci95_low"), (*key[:4], "ci95_high")
        assert low in cells
        assert high in cells
        if cells[key] not in ("suppressed", "n/a"):
            assert float(cells[low]) <= float(cells[key]) <= float(cells[high])


def test_the_csv_holds_the_pages_figures(client, regional_viewer, refreshed):
    page = page_cells(get(client, regional_viewer, URL).content.decode())
    response = get(client, regional_viewer, CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "trust_code"
    assert download_cells(rows[1:]) == page


def test_the_xlsx_holds_the_pages_figures(client, regional_viewer, refreshed):
    page = page_cells(get(client, regional_viewer, URL).content.decode())
    response = get(client, regional_viewer, XLSX_URL)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheets = {
        "Indicator 3": "indicator3",
        "Funnel": "funnel",
        "Early warning": "early_warning",
        "Speak up": "ftsu",
    }
    assert book.sheetnames == ["About", *sheets]
    rows = []
    for title, section in sheets.items():
        values = list(book[title].iter_rows(values_only=True))
        assert values[0][0] == "trust_code"
        rows += [[*r[:3], section, *r[3:]] for r in values[1:]]
    assert download_cells(rows) == page


def test_a_download_is_recorded_in_each_sharing_trusts_audit_log(
    client, regional_viewer, refreshed
):
    get(client, regional_viewer, CSV_URL)
    for trust in (refreshed.ral, refreshed.rbx, refreshed.rno):
        with trust_entered(trust):
            events = AuditEvent.objects.filter(
                action=EventType.EXPORT, payload__kind="regional_pack"
            )
            expected = 0 if trust == refreshed.rno else 1
            assert events.count() == expected, trust.code
            if expected:
                assert events.get().actor == regional_viewer


def test_a_trust_name_that_looks_like_a_formula_stays_text(client, regional_viewer, refreshed):
    refreshed.rbx.name = "=HYPERLINK(1)"
    refreshed.rbx.save()
    rows = list(csv.reader(io.StringIO(get(client, regional_viewer, CSV_URL).content.decode())))
    assert {r[1] for r in rows[1:] if r[0] == "RBX"} == {"'=HYPERLINK(1)"}


def test_a_trust_that_stops_sharing_leaves_the_pack_at_once(client, regional_viewer, refreshed):
    refreshed.rbx.shares_with_region = False
    refreshed.rbx.save()
    html = get(client, regional_viewer, URL).content.decode()
    assert "RBX" not in html
    assert "RAL" in html


def test_with_no_figures_the_page_says_so(client, regional_viewer, db):
    response = get(client, regional_viewer, URL)
    assert response.status_code == 200
    assert 'data-testid="no-figures"' in response.content.decode()


def test_a_bad_year_is_a_bad_request(client, regional_viewer, db):
    assert get(client, regional_viewer, "/regional/?year=abc").status_code == 400
    assert get(client, regional_viewer, "/regional/pack.csv?year=1").status_code == 400
    assert get(client, regional_viewer, "/regional/pack.pdf").status_code == 404


@pytest.mark.parametrize("url", [URL, CSV_URL, XLSX_URL])
def test_nobody_else_reaches_the_pages(client, cast, refreshed, url):
    admin = make_user("sam.super")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    for person in (cast.hr, cast.governance, cast.director, cast.manager, cast.outsider, admin):
        response = get(client, person, url, trust=refreshed.ral)
        assert response.status_code == 403, person.username
        assert b"Royal Test Trust" not in b"".join(getattr(response, "streaming_content", [])) + (
            response.content if not response.streaming else b""
        )
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # No refused download is recorded.
    assert not AuditEvent.objects.filter(payload__kind="regional_pack").exists()


def test_a_regional_viewer_lands_on_the_benchmark_and_a_trusts_hr_adviser_does_not(
    client, regional_viewer, cast
):
    client.force_login(regional_viewer)
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("regional:index")
    client.force_login(cast.hr)
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("cases:inbox")


def test_the_two_year_tables_say_their_entries_are_a_yearly_mean(
    client, regional_viewer, refreshed
):
    page = get(client, regional_viewer, URL).content.decode()
    one, two = page.split('<table data-window="1">')[1], page.split('<table data-window="2">')[1]
    assert "Entered a year (mean of 2)" in two.split("</thead>")[0]
    assert "mean a year over the 2 years" in two.split("</caption>")[0]
    assert "mean" not in one.split("</thead>")[0]
