"""Browser sessions end when the browser closes and after half an hour idle,
without a database write on every request."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Cast-2026!"
INBOX = "/cases/inbox/"
ROOT = Path(__file__).resolve().parents[2]


def logged_in_browser(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def still_in(browser: Client) -> bool:
    response = browser.get(INBOX)
    assert response.status_code == 200 or response["Location"].startswith("/accounts/login/")
    return response.status_code == 200


def session_writes(browser: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert still_in(browser)
    return sum(1 for q in queries if q["sql"].startswith('UPDATE "django_session"'))


def test_the_session_cookie_ends_with_the_browser_and_the_server_gives_it_half_an_hour(
    cast: Any,
) -> None:
    before = timezone.now()
    browser = logged_in_browser(cast.hr.username)

    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""  # a browser-session cookie
    stored = Session.objects.get(session_key=cookie.value)
    assert before + dt.timedelta(minutes=29) < stored.expire_date
    assert stored.expire_date <= timezone.now() + dt.timedelta(minutes=30)


def test_half_an_hour_without_a_request_logs_the_person_out(cast: Any) -> None:
    browser = logged_in_browser(cast.hr.username)
    start = timezone.now()

    with time_machine.travel(start + dt.timedelta(minutes=31)):
        assert not still_in(browser)


def test_a_request_every_ten_minutes_keeps_the_session_for_an_hour_and_more(cast: Any) -> None:
    browser = logged_in_browser(cast.hr.username)
    start = timezone.now()

    for minutes in range(10, 80, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            assert still_in(browser), minutes
    with time_machine.travel(start + dt.timedelta(minutes=70 + 31)):
        assert not still_in(browser)


def test_the_session_is_written_at_most_once_a_minute_not_on_every_request(cast: Any) -> None:
    browser = logged_in_browser(cast.hr.username)
    start = timezone.now()

    with time_machine.travel(start + dt.timedelta(seconds=5)):
        assert [session_writes(browser) for _ in range(5)] == [0, 0, 0, 0, 0]
    with time_machine.travel(start + dt.timedelta(seconds=90)):
        assert [session_writes(browser) for _ in range(3)] == [1, 0, 0]


def test_a_visitor_who_is_not_logged_in_gets_no_session_row(db: None) -> None:
    Client().get("/accounts/login/")
    Client().get(INBOX)

    assert Session.objects.count() == 0


def settings_under(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The settings module loaded in a fresh process with ``env`` on top of this one's."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "s.REST_KNOX['TOKEN_TTL'].total_seconds(), s.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS, "
        "s.FTP_TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_session_token_and_lockout_policy_are_read_from_the_environment() -> None:
    done = settings_under(
        {
            "FTP_SESSION_IDLE_MINUTES": "45",
            "FTP_SESSION_EXPIRE_AT_BROWSER_CLOSE": "false",
            "FTP_API_TOKEN_TTL_HOURS": "2",
            "FTP_LOGIN_MAX_FAILURES_PER_ADDRESS": "80",
            "FTP_TRUSTED_PROXY_COUNT": "1",
        }
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2700", "False", "7200.0", "80", "1"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FTP_SESSION_EXPIRE_AT_BROWSER_CLOSE": "sometimes"}, "must be true or false"),
        ({"FTP_LOGIN_MAX_FAILURES_PER_ADDRESS": "3"}, "must not be below"),
        ({"FTP_API_TOKEN_TTL_HOURS": "0"}, "must be at least 1"),
    ],
)
def test_a_bad_value_stops_the_process_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    done = settings_under(env)
    assert done.returncode != 0
    assert message in done.stderr
