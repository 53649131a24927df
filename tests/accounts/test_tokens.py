"""API tokens expire, can be revoked, and die with the password or the account.

Tokens are django-rest-knox's (only a hash is stored). A password change by
any path, or deactivating the user, deletes every token and session the user
has (``accounts/signals.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Cast-2026!"
NEW_PASSWORD = "A-new-Str0ng-pass-2026"
CASES = "/api/v1/referrals/"
TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
LOGOUT_ALL_URL = "/api/v1/auth/logout-all/"


def token_for(username: str, password: str = PASSWORD) -> str:
    """Logs in the way a client program does and returns the token."""
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    status: int = with_token(token).get(CASES).status_code  # DRF ships no types
    assert status in (200, 401), status
    return status == 200


def browser_logged_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


def still_in(browser: Client) -> bool:
    """Whether the browser's session still logs its person in."""
    response = browser.get("/cases/inbox/")
    assert response.status_code == 200 or response["Location"].startswith("/accounts/login/")
    return response.status_code == 200


def sessions_of(user: Any) -> list[str]:
    return [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


# --- expiry -----------------------------------------------------------------------


def test_a_token_works_until_its_lifetime_ends_and_not_after(cast: Any) -> None:
    token = token_for(cast.hr.username)
    lifetime = dt.timedelta(hours=settings.FTP_API_TOKEN_TTL_HOURS)

    with time_machine.travel(timezone.now() + lifetime - dt.timedelta(minutes=1)):
        assert works(token)
    with time_machine.travel(timezone.now() + lifetime + dt.timedelta(minutes=1)):
        response = with_token(token).get(CASES)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}


# --- revoking -----------------------------------------------------------------------


def test_logout_revokes_the_token_it_presents_and_no_other(cast: Any) -> None:
    laptop, script = token_for(cast.hr.username), token_for(cast.hr.username)

    response = with_token(laptop).post(LOGOUT_URL)

    assert response.status_code == 204
    assert not works(laptop)
    assert works(script)


def test_logout_all_revokes_every_token_of_that_person_only(cast: Any) -> None:
    laptop, script = token_for(cast.hr.username), token_for(cast.hr.username)
    colleague = token_for(cast.manager.username)

    response = with_token(laptop).post(LOGOUT_ALL_URL)

    assert response.status_code == 204
    assert not works(laptop)
    assert not works(script)
    assert works(colleague)


@pytest.mark.parametrize("url", [LOGOUT_URL, LOGOUT_ALL_URL])
def test_logging_out_needs_a_token(cast: Any, url: str) -> None:
    anonymous = APIClient().post(url)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}

    browser = APIClient()
    browser.force_login(cast.hr)
    assert browser.post(url).status_code == 401  # a session is not a token to revoke


# --- password changes and deactivation -----------------------------------------


def by_set_password(user: Any) -> None:
    user = get_user_model().objects.get(pk=user.pk)
    user.set_password(NEW_PASSWORD)
    user.save()


def by_changepassword_command(user: Any) -> None:
    call_command("changepassword", user.username)


def by_add_user_command(user: Any) -> None:
    call_command("add_user", user.username, "--role", "hr", "--password", NEW_PASSWORD)


def by_the_admin(user: Any) -> None:
    admin = get_user_model().objects.create_superuser("ada.admin", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:3000]


def by_making_it_unusable(user: Any) -> None:
    user = get_user_model().objects.get(pk=user.pk)
    user.set_unusable_password()
    user.save()


def by_deactivating(user: Any) -> None:
    user = get_user_model().objects.get(pk=user.pk)
    user.is_active = False
    user.save()


@pytest.mark.parametrize(
    "change",
    [
        by_set_password,
        by_changepassword_command,
        by_add_user_command,
        by_the_admin,
        by_making_it_unusable,
        by_deactivating,
    ],
)
def test_a_password_change_or_deactivation_ends_every_token_and_session(
    cast: Any, monkeypatch: Any, change: Callable[[Any], None]
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    tokens = [token_for(cast.hr.username), token_for(cast.hr.username)]
    browser = browser_logged_in(cast.hr.username)
    assert sessions_of(cast.hr)
    colleague_token = token_for(cast.manager.username)
    colleague_browser = browser_logged_in(cast.manager.username)

    change(cast.hr)

    assert not any(works(token) for token in tokens)
    assert sessions_of(cast.hr) == []
    assert not still_in(browser)
    assert works(colleague_token)
    assert sessions_of(cast.manager)
    assert still_in(colleague_browser)


def test_saving_a_person_without_changing_password_or_activity_keeps_their_logins(
    cast: Any,
) -> None:
    token = token_for(cast.hr.username)
    browser_logged_in(cast.hr.username)

    user = get_user_model().objects.get(pk=cast.hr.pk)
    user.email = "hana@example.nhs.uk"
    user.first_name = "Hana"
    user.save()

    assert works(token)
    assert sessions_of(cast.hr)


def test_changing_your_own_password_keeps_you_logged_in_on_this_browser_only(
    cast: Any,
) -> None:
    token = token_for(cast.hr.username)
    here, elsewhere = browser_logged_in(cast.hr.username), browser_logged_in(cast.hr.username)
    cast.hr.is_staff = True  # the admin's own password page is the one Django offers
    cast.hr.save()

    response = here.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content[:3000]
    assert still_in(here)
    assert not still_in(elsewhere)
    assert not works(token)
    assert len(sessions_of(cast.hr)) == 1
