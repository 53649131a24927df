"""Logging in to the API: an expiring token for the right password, a lockout for guessing.

The failure counters live in the cache (Redis here); the autouse fixture in
``conftest.py`` clears it around every test. Tokens are knox's: expiring,
revocable (``tests/accounts/test_tokens.py``), the same lockout as the web
login (``tests/accounts/test_lockout.py``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from .steps import BASE, PASSWORD, Api, ok

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def login(username: str, password: str, address: str = "10.0.0.1") -> Any:
    body = {"username": username, "password": password}
    return APIClient().post(TOKEN_URL, body, format="json", REMOTE_ADDR=address)


def fail(times: int, username: str, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert login(username, "not-the-password", address).status_code == 401


def test_the_right_password_gets_an_expiring_token_that_works_as_a_header(cast: Any) -> None:
    body = ok(login(cast.hr.username, PASSWORD))

    assert set(body) == {"token", "expiry"}
    stored = AuthToken.objects.get(user=cast.hr)
    assert body["token"] not in (stored.digest, stored.token_key)  # only a hash is kept
    assert parse_datetime(body["expiry"]) == stored.expiry
    lifetime = stored.expiry - timezone.now()
    assert abs(lifetime.total_seconds() - settings.FTP_API_TOKEN_TTL_HOURS * 3600) < 60
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert ok(client.get(BASE))["results"] == []


def test_logging_in_again_gets_a_second_token_and_both_work(cast: Any) -> None:
    first, second = ok(login(cast.hr.username, PASSWORD)), ok(login(cast.hr.username, PASSWORD))

    assert first["token"] != second["token"]
    for body in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        ok(client.get(BASE))


@pytest.mark.parametrize(
    ("username", "password"),
    [("hana.hr", "wrong-password"), ("nobody.at.all", PASSWORD), ("hana.hr", "")],
)
def test_a_wrong_username_or_password_gets_401_that_does_not_say_which(
    cast: Any, username: str, password: str
) -> None:
    response = login(username, password)

    if password:
        assert response.status_code == 401
        assert response.json() == {"detail": "Wrong username or password."}
    else:  # an empty password is a malformed request, not a failed guess
        assert response.status_code == 400
        assert "password" in response.json()["errors"]


def test_an_inactive_person_cannot_log_in_and_their_token_stops_working(cast: Any) -> None:
    api = Api.with_token(cast.hr.username)
    cast.hr.is_active = False
    cast.hr.save()

    assert login(cast.hr.username, PASSWORD).status_code == 401
    response = api.cases()
    assert response.status_code == 401
    # Deactivation deleted the token (accounts/signals.py): it is unknown, not just refused.
    assert response.json() == {"detail": "Invalid token."}
    assert not AuthToken.objects.filter(user=cast.hr).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "hana.hr"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "hana.hr", "password": PASSWORD, "otp": "123456"}, "otp"),
        ({"username": "x" * 1_000_000, "password": PASSWORD}, "username"),
        ({"username": "hana.hr", "password": "x" * 1_000_000}, "password"),
        ({"username": ["hana.hr"], "password": PASSWORD}, "username"),
    ],
)
def test_a_malformed_login_gets_400_naming_the_field(
    cast: Any, body: dict[str, Any], field: str
) -> None:
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_after_too_many_failures_even_the_right_password_gets_429(cast: Any) -> None:
    fail(settings.FTP_LOGIN_MAX_FAILURES, cast.hr.username)

    response = login(cast.hr.username, PASSWORD)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed logins. Try again later.")
    assert response["Retry-After"] == str(settings.FTP_LOGIN_FAILURE_WINDOW)
    assert not AuthToken.objects.filter(user=cast.hr).exists()


def test_one_failure_short_of_the_limit_still_lets_the_right_password_in(cast: Any) -> None:
    fail(settings.FTP_LOGIN_MAX_FAILURES - 1, cast.hr.username)
    ok(login(cast.hr.username, PASSWORD))


def test_successful_logins_are_not_counted_as_failures(cast: Any) -> None:
    fail(settings.FTP_LOGIN_MAX_FAILURES - 1, cast.hr.username)

    for _ in range(settings.FTP_LOGIN_MAX_FAILURES + 1):
        ok(login(cast.hr.username, PASSWORD))


def test_guessing_one_persons_password_locks_them_out_from_that_address_only(
    cast: Any,
) -> None:
    fail(settings.FTP_LOGIN_MAX_FAILURES, cast.hr.username, address="10.0.1.1")

    assert login(cast.hr.username, PASSWORD, address="10.0.1.1").status_code == 429
    # The same person elsewhere, and a colleague at the same address, still get in:
    # a guesser cannot lock anyone out of the API.
    ok(login(cast.hr.username, PASSWORD, address="10.0.2.1"))
    ok(login(cast.manager.username, PASSWORD, address="10.0.1.1"))


def test_failures_for_one_username_do_not_lock_out_a_trust_behind_one_address(
    cast: Any,
) -> None:
    # The old per-address key: 5 failures by anyone locked the whole address.
    fail(settings.FTP_LOGIN_MAX_FAILURES, "someone.mistyping", address="10.0.3.3")

    for person in (cast.hr, cast.manager, cast.director):
        ok(login(person.username, PASSWORD, address="10.0.3.3"))


def test_guessing_many_passwords_from_one_address_is_stopped_at_the_address_ceiling(
    cast: Any,
) -> None:
    for i in range(settings.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS):
        fail(1, f"guess.{i}", address="10.0.3.3")

    response = login(cast.hr.username, PASSWORD, address="10.0.3.3")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed logins. Try again later.")
    ok(login(cast.hr.username, PASSWORD, address="10.0.3.4"))


def test_a_browser_session_works_for_reads_and_must_carry_the_csrf_token_for_writes(
    cast: Any, employee: Any
) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(cast.manager)

    assert ok(browser.get(BASE))["results"] == []
    response = browser.post(BASE, {}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
