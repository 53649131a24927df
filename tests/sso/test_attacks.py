"""What an attacker tries against single sign-on, and what a trust's
security officer asks of it: no redirect to another site, a new session key
at sign-in, a replayed or foreign state refused with the login page (never a
500), a provider's error shown plainly without logging anyone out, a
switched-off login kept out with the no-access page, no password for a
login made by single sign-on, no logout by a link, and no code exchanged
outside the callback."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from staff.events import SsoAuditEvent
from staff.models import SsoIdentity
from tenancy.context import trust_entered

from .conftest import callback_path, provider_sign_in, sign_in
from .provider import Provider

pytestmark = pytest.mark.django_db

FAILED = "Signing in with NHSmail did not work"


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"],
)
def test_a_sign_in_never_sends_a_person_to_another_site(sso_on: Provider, target: str) -> None:
    client = Client()
    answer = sign_in(
        client, "hana@nhs.test", start=f"/oidc/authenticate/?{urlencode({'next': target})}"
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/"


def test_signing_in_gives_the_browser_a_new_session_key(sso_on: Provider) -> None:
    client = Client()
    client.get("/oidc/authenticate/")  # a session, as an attacker could have planted
    before = client.session.session_key
    assert before
    sign_in(client, "hana@nhs.test")
    assert signed_in(client)
    assert client.session.session_key != before


def test_a_replayed_callback_is_refused_with_the_login_page(sso_on: Provider) -> None:
    client = Client()
    path = callback_path(client, "hana@nhs.test")
    assert client.get(path).status_code == 302
    client.post("/accounts/logout/")
    again = client.get(path, follow=True)
    assert again.redirect_chain[-1][0] == "/accounts/login/"
    assert FAILED in again.content.decode()
    assert not signed_in(client)


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(sso_on: Provider) -> None:
    victim, attacker = Client(), Client()
    victim.get("/oidc/authenticate/")  # the victim has a flow of their own going
    path = callback_path(attacker, "nina@nhs.test")  # the attacker's code and state
    answer = victim.get(path, follow=True)
    assert answer.redirect_chain[-1][0] == "/accounts/login/"
    assert FAILED in answer.content.decode()
    assert not signed_in(victim)


def test_the_providers_error_is_shown_as_the_login_page_with_a_message(sso_on: Provider) -> None:
    client = Client()
    begun = client.get("/oidc/authenticate/")
    state = dict(parse_qsl(urlsplit(begun["Location"]).query))["state"]
    answer = client.get(f"/oidc/callback/?error=access_denied&state={state}", follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == "/accounts/login/"
    assert FAILED in answer.content.decode()
    assert state not in client.session.get("oidc_states", {})  # used up


def test_a_link_to_the_callback_with_an_error_logs_nobody_out(sso_on: Provider) -> None:
    client = Client()
    sign_in(client, "hana@nhs.test")
    client.get("/oidc/callback/?error=access_denied")  # e.g. a link in an email
    client.get("/oidc/callback/?error=access_denied&state=made-up")
    assert signed_in(client)


def test_logging_out_takes_a_post_not_a_link(sso_on: Provider) -> None:
    client = Client()
    sign_in(client, "hana@nhs.test")
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)
    client.post("/accounts/logout/")
    assert not signed_in(client)


def test_a_switched_off_login_is_refused_with_the_no_access_page_and_recorded(
    sso_on: Provider,
) -> None:
    sign_in(Client(), "hana@nhs.test")
    hana = SsoIdentity.objects.get().user
    hana.is_active = False
    hana.save()
    client = Client()
    answer = sign_in(client, "hana@nhs.test")
    assert answer["Location"] == "/accounts/no-access/"
    assert not signed_in(client)
    with trust_entered(None):  # before any trust: the deployment's chain
        event = AuditEvent.objects.get(action=SsoAuditEvent.REFUSED)
    assert event.actor_id == hana.pk
    assert event.payload["reason"] == "switched_off"
    page = client.get(answer["Location"]).content.decode()
    assert "you have not been logged in" in page


def test_the_no_access_page_is_the_same_for_everyone(sso_on: Provider) -> None:
    # Reached by anyone: it must not tell whether an account exists here.
    refused = Client()
    sign_in(refused, "nina@nhs.test")
    assert (
        refused.get("/accounts/no-access/").content == Client().get("/accounts/no-access/").content
    )


def test_a_login_made_by_single_sign_on_has_no_password_for_the_api(
    sso_on: Provider, settings: Any
) -> None:
    settings.FTP_LOCAL_LOGIN_ENABLED = True  # even where passwords are on
    sign_in(Client(), "hana@nhs.test")
    hana = SsoIdentity.objects.get().user
    assert not hana.has_usable_password()
    for password in ("", "!", hana.password, "pw-Cast-2026!"):
        body = {"username": hana.username, "password": password}
        answer = APIClient().post("/api/v1/auth/token/", body, format="json")
        assert answer.status_code in (400, 401), answer.content


def test_a_code_is_exchanged_only_by_the_callback(sso_on: Provider, settings: Any) -> None:
    # A code obtained at the provider without this browser's state, nonce or
    # PKCE, posted to the password form: the callback's checks must not be
    # skippable by going through another door.
    settings.FTP_LOCAL_LOGIN_ENABLED = True
    begun = Client().get("/oidc/authenticate/")
    url = urlsplit(begun["Location"])
    kept = {"response_type", "scope", "client_id", "redirect_uri"}
    query = urlencode([(k, v) for k, v in parse_qsl(url.query) if k in kept] + [("state", "x")])
    code_path = provider_sign_in(urlunsplit(url._replace(query=query)), "hana@nhs.test")
    client = Client()
    client.post(
        "/accounts/login/?" + urlsplit(code_path).query,
        {"username": "nobody", "password": "wrong"},
    )
    assert not signed_in(client)
    assert not get_user_model().objects.filter(email="hana.adviser@nhs.test").exists()
