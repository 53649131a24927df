"""The test identity provider for the single sign-on tests, and the app
pointed at it.

One provider serves the module's tests (``provider``); ``sso_on`` switches
single sign-on on for a test, as FTP_OIDC_* would, with the role map below.
``sign_in`` walks the code flow: the app's redirect, the provider's login
page (a person's browser, here a ``requests`` session), and the callback the
provider sends back to the app (Django's test client)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from tenancy.context import current_trust_id

from ..policy import policy_set
from .provider import PASSWORD, Provider, Someone, running_provider

APP = "http://testserver"
CAST_PASSWORD = "pw-Cast-2026!"  # the app's test users' (tests/factories.py)
ROLE_MAP = {
    "g-ftp-hr": frozenset({"hr"}),
    "g-ftp-panel": frozenset({"panel"}),
    "g-ftp-managers": frozenset({"manager"}),
}
PEOPLE = {
    # Entra's way: groups in the ID token.
    "hana@nhs.test": Someone(
        "hana@nhs.test",
        ("g-ftp-hr", "g-all-staff"),
        "oid-hana",
        "Hana",
        "Adviser",
        "hana.adviser@nhs.test",
        "E900001",
    ),
    # Another provider's way: groups from userinfo only.
    "paul@nhs.test": Someone(
        "paul@nhs.test",
        ("g-ftp-panel",),
        "oid-paul",
        "Paul",
        "Member",
        "paul.member@nhs.test",
        "",
        "userinfo",
    ),
    # Both ways at once, two roles.
    "mo@nhs.test": Someone(
        "mo@nhs.test",
        ("g-ftp-managers", "g-ftp-hr"),
        "oid-mo",
        "Mo",
        "Both",
        "mo.both@nhs.test",
        "E900003",
        "both",
    ),
    # Signed in at NHSmail, but in no group mapped here.
    "nina@nhs.test": Someone(
        "nina@nhs.test",
        ("g-all-staff", "g-theatres"),
        "oid-nina",
        "Nina",
        "Noaccess",
        "nina.noaccess@nhs.test",
        "",
    ),
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    workdir = tmp_path_factory.mktemp("idp")
    with running_provider(workdir, [f"{APP}/oidc/callback/"], PEOPLE) as running:
        yield running


@pytest.fixture
def sso_on(settings: Any, provider: Provider) -> Iterator[Provider]:
    """Single sign-on on, against the test provider, with ``ROLE_MAP``; each
    person's groups as ``PEOPLE`` has them (a test may change them)."""
    settings.FTP_SSO_ENABLED = True
    for name, value in provider.app_settings().items():
        setattr(settings, name, value)
    settings.FTP_OIDC_ROLE_MAP = ROLE_MAP
    # The map a sign-in reads is the trust's own (tenancy.policy.sso_role_map).
    if current_trust_id() is not None:  # a test with the database
        policy_set(sso_role_map={group: sorted(roles) for group, roles in ROLE_MAP.items()})
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "staff.sso.SsoBackend"]
    yield provider
    provider.know(PEOPLE)


@pytest.fixture
def passwords_off(settings: Any, sso_on: Provider) -> None:
    """Local passwords off, as in production with single sign-on; ``bea``'s
    account is the break-glass one."""
    settings.FTP_LOCAL_LOGIN_ENABLED = False
    settings.FTP_BREAK_GLASS_USERNAMES = frozenset({"bea.breakglass"})


@pytest.fixture
def bea(db: None) -> Any:
    """The break-glass administrator: a superuser with a password."""
    return get_user_model().objects.create_superuser("bea.breakglass", password=CAST_PASSWORD)


def regroup(provider: Provider, username: str, *groups: str) -> None:
    """Move ``username`` into exactly ``groups`` at the provider."""
    provider.know({**PEOPLE, username: replace(PEOPLE[username], groups=groups)})


def sign_in(client: Client, username: str, *, password: str = PASSWORD, start: str = "") -> Any:
    """The code flow, from the app's "Sign in with NHSmail" to the app's answer
    to the callback (returned, not followed)."""
    return client.get(callback_path(client, username, password=password, start=start))


def callback_path(
    client: Client, username: str, *, password: str = PASSWORD, start: str = ""
) -> str:
    """The code flow up to the provider sending the browser back: the app's
    callback path, with the code and state, not yet visited."""
    begun = client.get(start or "/oidc/authenticate/")
    assert begun.status_code == 302, begun
    return provider_sign_in(begun["Location"], username, password=password)


def provider_sign_in(authorize_url: str, username: str, *, password: str = PASSWORD) -> str:
    """A browser at the provider's ``authorize_url`` signing in as ``username``:
    the path (and query) the provider sends it back to at the app."""
    browser = requests.Session()
    login_page = browser.get(authorize_url, timeout=10)
    assert "Sign in to Test NHSmail" in login_page.text
    answer = browser.post(
        login_page.url,
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    location = answer.headers["Location"]
    while not location.startswith(APP):
        answer = browser.get(urljoin(answer.url, location), allow_redirects=False, timeout=10)
        location = answer.headers["Location"]
    back = urlsplit(location)
    return f"{back.path}?{back.query}"
