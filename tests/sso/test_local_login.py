"""Local passwords switched off for single sign-on: the web login, the admin
login and the API token endpoint all refuse everyone but the break-glass
accounts, with a message saying what to do; the login page offers NHSmail
and, discreetly, the break-glass page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from rest_framework.test import APIClient

from accounts.backends import LOCAL_LOGIN_OFF_MESSAGE
from accounts.roles import Role

from ..factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Cast-2026!"  # the factories' (tests/factories.py)
OFF = "Logging in with a password is switched off here"


@pytest.fixture
def hana(db: None) -> Any:
    return make_user("hana.hr", Role.HR)


def web_login(url: str, username: str) -> tuple[Client, Any]:
    client = Client()
    return client, client.post(url, {"username": username, "password": PASSWORD})


def api_login(username: str) -> Any:
    body = {"username": username, "password": PASSWORD}
    return APIClient().post("/api/v1/auth/token/", body, format="json")


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/break-glass/", "/admin/login/"])
def test_an_ordinary_password_is_refused_on_every_form_with_a_clear_message(
    passwords_off: None, hana: Any, url: str
) -> None:
    client, answer = web_login(url, hana.username)
    assert answer.status_code == 200
    assert OFF in answer.content.decode()
    assert SESSION_KEY not in client.session


def test_an_ordinary_password_is_refused_by_the_api(passwords_off: None, hana: Any) -> None:
    answer = api_login(hana.username)
    assert answer.status_code == 403
    assert answer.json() == {"detail": LOCAL_LOGIN_OFF_MESSAGE}


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/break-glass/", "/admin/login/"])
def test_the_break_glass_account_still_logs_in_on_every_form(
    passwords_off: None, bea: Any, url: str
) -> None:
    client, answer = web_login(url, bea.username)
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == str(bea.pk)


def test_the_break_glass_account_still_gets_an_api_token(passwords_off: None, bea: Any) -> None:
    answer = api_login(bea.username)
    assert answer.status_code == 200
    assert answer.json()["token"]


def test_a_wrong_break_glass_password_is_just_a_wrong_password(
    passwords_off: None, bea: Any
) -> None:
    answer = Client().post("/accounts/login/", {"username": bea.username, "password": "nope"})
    assert "Please enter a correct username and password" in answer.content.decode()
    assert OFF not in answer.content.decode()


def test_with_passwords_on_everyone_may_use_one(settings: Any, hana: Any) -> None:
    settings.FTP_LOCAL_LOGIN_ENABLED = True
    _, answer = web_login("/accounts/login/", hana.username)
    assert answer.status_code == 302
    assert api_login(hana.username).status_code == 200


def test_the_login_page_without_passwords_offers_nhsmail_and_a_discreet_break_glass_link(
    passwords_off: None, client: Client
) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHSmail" in page
    assert 'name="password"' not in page
    assert 'href="/accounts/break-glass/"' in page
    glass = client.get("/accounts/break-glass/").content.decode()
    assert 'name="password"' in glass
    assert "Sign in with NHSmail" not in glass


def test_the_login_page_without_single_sign_on_is_the_password_form(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHSmail" not in page
    assert 'name="password"' in page
    assert "break-glass" not in page
