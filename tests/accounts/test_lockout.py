"""Login lockout on every login: the web login, the admin login and the API.

Failures are counted in the cache (Redis here) per username + address, with a
higher ceiling per address, and counted *before* the password is checked, so
parallel guesses cannot all be tried. Each test starts with an empty cache.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import global_settings, settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.lockout import client_ip
from accounts.roles import Role

from ..factories import make_user

PASSWORD = "pw-Cast-2026!"
WRONG = "not-the-password"
WEB_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"
WRONG_PASSWORD_TEXT = "Please enter a correct username and password"


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    # Every test hashes fast (tests/conftest.py); said here too, as these
    # tests count on it to make thirty attempts in a few seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def real_pbkdf2(settings: Any) -> None:
    # Full-strength PBKDF2 (a quarter of a second per checked password) is
    # what makes twenty parallel attempts overlap: the race the count closes.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def hana(db: None, fast_passwords: None) -> Any:
    return make_user("hana.hr", Role.HR)


def web_login(
    client: Client, username: str, password: str, url: str = WEB_LOGIN, **extra: Any
) -> Any:
    return client.post(url, {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def api_login(username: str, password: str, address: str = "127.0.0.1") -> Any:
    body = {"username": username, "password": password}
    return APIClient().post(TOKEN_URL, body, format="json", REMOTE_ADDR=address)


def assert_locked_out_page(response: Any) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.FTP_LOGIN_FAILURE_WINDOW)
    html = response.content.decode()
    assert "<main" in html
    assert "<h1" in html
    assert "Too many failed logins" in html
    assert "contact your HR team" in html
    assert f"Try again in {settings.FTP_LOGIN_FAILURE_WINDOW // 60} minutes" in html


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_web_login_lock_it_and_the_right_one_is_refused(
    hana: Any,
) -> None:
    client = Client()
    answers = [web_login(client, hana.username, WRONG) for _ in range(30)]

    limit = settings.FTP_LOGIN_MAX_FAILURES
    assert all(
        a.status_code == 200 and WRONG_PASSWORD_TEXT in a.content.decode() for a in answers[:limit]
    )
    for answer in answers[limit:]:
        assert_locked_out_page(answer)
    assert_locked_out_page(web_login(client, hana.username, PASSWORD))
    assert not logged_in(client)


@pytest.mark.django_db
def test_thirty_wrong_passwords_on_the_admin_login_lock_it_and_the_right_one_is_refused(
    fast_passwords: None,
) -> None:
    admin = get_user_model().objects.create_superuser("ada.admin", password=PASSWORD)
    client = Client()
    answers = [web_login(client, admin.username, WRONG, url=ADMIN_LOGIN) for _ in range(30)]

    limit = settings.FTP_LOGIN_MAX_FAILURES
    assert all(a.status_code == 200 for a in answers[:limit])
    for answer in answers[limit:]:
        assert_locked_out_page(answer)
    assert_locked_out_page(web_login(client, admin.username, PASSWORD, url=ADMIN_LOGIN))
    assert not logged_in(client)


@pytest.mark.django_db
def test_one_failure_short_of_the_limit_the_right_password_logs_in_and_clears_the_count(
    hana: Any,
) -> None:
    client = Client()
    for _round in range(3):
        for _ in range(settings.FTP_LOGIN_MAX_FAILURES - 1):
            assert web_login(client, hana.username, WRONG).status_code == 200
        assert web_login(client, hana.username, PASSWORD).status_code == 302
        assert logged_in(client)
        client.logout()


@pytest.mark.django_db
def test_the_web_api_and_admin_logins_share_one_count(hana: Any) -> None:
    hana.is_staff = True
    hana.save()
    web_login(Client(), hana.username, WRONG)
    web_login(Client(), hana.username, WRONG, url=ADMIN_LOGIN)
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES - 2):
        assert api_login(hana.username, WRONG).status_code == 401

    assert api_login(hana.username, PASSWORD).status_code == 429
    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD))
    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD, url=ADMIN_LOGIN))


@pytest.mark.django_db
def test_a_locked_out_username_is_locked_from_that_address_only(hana: Any) -> None:
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES):
        web_login(Client(), hana.username, WRONG, REMOTE_ADDR="10.1.1.1")

    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD, REMOTE_ADDR="10.1.1.1"))
    assert web_login(Client(), hana.username, PASSWORD, REMOTE_ADDR="10.1.1.2").status_code == 302


@pytest.mark.django_db
def test_the_username_counts_whatever_its_letter_case(hana: Any) -> None:
    for variant in ("HANA.HR", "Hana.Hr", "hana.HR", "hAna.hr", "hana.hr"):
        assert web_login(Client(), variant, WRONG).status_code == 200

    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD))


@pytest.mark.django_db
def test_a_spraying_address_is_stopped_at_its_ceiling_on_the_web_login_too(hana: Any) -> None:
    for i in range(settings.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS):
        assert web_login(Client(), f"guess.{i}", WRONG, REMOTE_ADDR="10.2.2.2").status_code == 200

    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD, REMOTE_ADDR="10.2.2.2"))
    assert web_login(Client(), hana.username, PASSWORD, REMOTE_ADDR="10.2.2.3").status_code == 302


@pytest.mark.django_db
def test_successful_logins_do_not_use_up_the_address_ceiling(settings: Any, hana: Any) -> None:
    settings.FTP_LOGIN_MAX_FAILURES_PER_ADDRESS = settings.FTP_LOGIN_MAX_FAILURES
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES * 3):
        assert web_login(Client(), hana.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_without_redis_the_lockout_counts_in_the_local_memory_cache(
    settings: Any, hana: Any
) -> None:
    # `make run` (FTP_ENV=local) has no Redis: the same lockout in LocMem.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES):
        assert web_login(Client(), hana.username, WRONG).status_code == 200

    assert_locked_out_page(web_login(Client(), hana.username, PASSWORD))


# --- many attempts at once ------------------------------------------------------


def at_once(attempt: Callable[[], int], times: int = 20) -> Counter[int]:
    """Run ``attempt`` in ``times`` threads released together; count the statuses."""
    barrier = threading.Barrier(times)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            statuses.append(attempt())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return Counter(statuses)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_parallel_wrong_passwords_on_the_api_get_at_most_the_limit_of_401s(
    real_pbkdf2: None,
) -> None:
    make_user("hana.hr")  # no role: the groups are gone in a transactional test

    statuses = at_once(lambda: api_login("hana.hr", WRONG).status_code)

    limit = settings.FTP_LOGIN_MAX_FAILURES
    assert statuses[401] <= limit
    assert statuses[429] == 20 - statuses[401]
    assert api_login("hana.hr", PASSWORD).status_code == 429


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_parallel_wrong_passwords_on_the_web_login_get_at_most_the_limit_of_refusals(
    real_pbkdf2: None,
) -> None:
    make_user("hana.hr")  # no role: the groups are gone in a transactional test

    statuses = at_once(lambda: web_login(Client(), "hana.hr", WRONG).status_code)

    assert statuses[200] <= settings.FTP_LOGIN_MAX_FAILURES  # the form, "wrong password"
    assert statuses[429] == 20 - statuses[200]
    assert web_login(Client(), "hana.hr", PASSWORD).status_code == 429


# --- the client's address behind reverse proxies -----------------------------------

addresses = st.ip_addresses().map(str)


class FakeRequest:
    def __init__(self, remote: str, forwarded: list[str] | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = ", ".join(forwarded)


@given(remote=addresses, spoofed=st.lists(st.text(max_size=20) | addresses, max_size=4))
def test_with_no_trusted_proxy_the_address_is_the_peer_whatever_the_headers_say(
    remote: str, spoofed: list[str]
) -> None:
    assert client_ip(FakeRequest(remote, spoofed)) == remote


@given(
    hops=st.integers(min_value=1, max_value=3),
    client=addresses,
    spoofed=st.lists(addresses, max_size=4),
    proxies=st.lists(addresses, min_size=3, max_size=3),
)
def test_behind_trusted_proxies_the_address_is_the_one_the_first_proxy_saw(
    hops: int, client: str, spoofed: list[str], proxies: list[str]
) -> None:
    # The client may send any X-Forwarded-For; the first trusted proxy appends the
    # client's real address, each further proxy the address of the one before.
    forwarded = [*spoofed, client, *proxies[: hops - 1]]
    request = FakeRequest(proxies[hops - 1], forwarded)

    with override_settings(FTP_TRUSTED_PROXY_COUNT=hops):
        assert client_ip(request) == client


def test_behind_a_proxy_a_missing_or_garbled_header_falls_back_to_the_peer(settings: Any) -> None:
    settings.FTP_TRUSTED_PROXY_COUNT = 1
    assert client_ip(FakeRequest("10.9.9.9")) == "10.9.9.9"
    assert client_ip(FakeRequest("10.9.9.9", ["not-an-address"])) == "10.9.9.9"
    assert client_ip(FakeRequest("10.9.9.9", ["203.0.113.7"])) == "203.0.113.7"


@pytest.mark.django_db
def test_behind_a_proxy_guesses_are_counted_per_client_not_per_proxy(
    settings: Any, hana: Any
) -> None:
    settings.FTP_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES):
        web_login(Client(), hana.username, WRONG, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    locked = web_login(
        Client(), hana.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy
    )
    assert_locked_out_page(locked)
    elsewhere = web_login(
        Client(), hana.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy
    )
    assert elsewhere.status_code == 302
