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
from django.test import Client

from .provider import PASSWORD, Provider, Someone, running_provider

APP = "http://testserver"
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
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "staff.sso.SsoBackend"]
    yield provider
    provider.know(PEOPLE)


def regroup(provider: Provider, username: str, *groups: str) -> None:
    """Move ``username`` into exactly ``groups`` at the provider."""
    provider.know({**PEOPLE, username: replace(PEOPLE[username], groups=groups)})


def sign_in(client: Client, username: str, *, password: str = PASSWORD, start: str = "") -> Any:
    """The code flow, from the app's "Sign in with NHSmail" to the app's answer
    to the callback (returned, not followed)."""
    begun = client.get(start or "/oidc/authenticate/")
    assert begun.status_code == 302, begun
    browser = requests.Session()
    login_page = browser.get(begun["Location"], timeout=10)
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
    return client.get(f"{back.path}?{back.query}")
