"""The governance pack says in words what a board reader would otherwise
puzzle over: a two-year figure that is a mean per year, and a funnel chart
with no bar to draw."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

EVERY_DAY = "start=2000-01-01&end=2100-01-01"


def page(client: Client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_two_year_entry_count_says_it_is_a_mean_per_year(client, cast, worked_example):
    two_years = page(client, cast.governance, "/reports/governance/?year=2024&window=2")
    one_year = page(client, cast.governance, "/reports/governance/?year=2024&window=1")

    # 17 white entries in 2024/25 and 50 in 2023/24: 33.5 a year; BME 9 and 0: 4.5.
    for mean in ("33.5", "4.5"):
        assert f'{mean}<span class="ftp-sub">a year (two&#8209;year mean)</span>' in two_years
    # The one-year rows are plain counts.
    one_year_row = re.search(
        r'<tr data-unit="TRUST" data-year="2024" data-window="1">(.*?)</tr>', one_year, re.S
    )
    assert one_year_row
    assert "<td>17</td>" in one_year_row.group(1)
    assert "a year" not in one_year_row.group(1)


def test_an_all_suppressed_funnel_chart_says_why(client, cast, story):
    story.submitted()  # one referral: every count in the funnel is below 5

    html = page(client, cast.governance, f"/reports/governance/?year=2024&{EVERY_DAY}")

    assert 'data-testid="funnel-suppressed"' in html
    assert "below the suppression threshold of 5" in html


def test_hr_sees_the_bars_so_no_explanation_is_needed(client, cast, story):
    story.submitted()

    html = page(client, cast.hr, f"/reports/governance/?year=2024&{EVERY_DAY}")

    assert 'data-testid="funnel-suppressed"' not in html


def test_a_period_with_no_referral_says_so(client, cast):
    html = page(
        client, cast.governance, "/reports/governance/?year=2024&start=2001-01-01&end=2001-12-31"
    )

    assert "No referral was submitted in this period" in html
