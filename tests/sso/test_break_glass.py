"""The break-glass door while local passwords are off: its logins are
recorded in the audit log and reported to the HR leads, whichever door they
came through; it is locked out after too many wrong passwords like any
login; and a superuser not named a break-glass account is refused there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from staff.events import SsoAuditEvent
from tenancy.context import trust_entered

from .conftest import CAST_PASSWORD, sign_in
from .provider import Provider

pytestmark = pytest.mark.django_db

HR_LEADS = ["hr.lead@trust.test"]
DOORS = {"/accounts/break-glass/": "web", "/accounts/login/": "web", "/admin/login/": "admin"}


@pytest.fixture
def hr_leads(settings: Any) -> list[str]:
    settings.FTP_HR_LEAD_EMAILS = HR_LEADS
    return HR_LEADS


def break_glass_events() -> list[AuditEvent]:
    # A login happens before any trust is chosen: the deployment's chain.
    with trust_entered(None):
        return list(AuditEvent.objects.filter(action=SsoAuditEvent.BREAK_GLASS_LOGIN))


@pytest.mark.parametrize("url", list(DOORS))
def test_a_break_glass_login_on_a_form_is_recorded_and_reported(
    passwords_off: None,
    bea: Any,
    hr_leads: list[str],
    url: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"username": bea.username, "password": CAST_PASSWORD})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == str(bea.pk)
    (event,) = break_glass_events()
    assert event.actor_id == bea.pk
    assert event.payload == {"door": DOORS[url]}  # no password, no address
    (alert,) = mail.outbox
    assert alert.to == HR_LEADS
    assert bea.username in alert.body
    assert DOORS[url] in alert.body
    assert CAST_PASSWORD not in alert.body
    assert "127.0.0.1" not in alert.body


def test_a_break_glass_api_token_is_recorded_and_reported(
    passwords_off: None,
    bea: Any,
    hr_leads: list[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    body = {"username": bea.username, "password": CAST_PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        answer = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert answer.status_code == 200
    (event,) = break_glass_events()
    assert (event.actor_id, event.payload) == (bea.pk, {"door": "api"})
    assert [m.to for m in mail.outbox] == [HR_LEADS]


def test_without_hr_lead_addresses_the_active_hr_advisers_are_told(
    passwords_off: None, bea: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from accounts.roles import Role

    from ..factories import make_user

    adviser = make_user("hana.hr", Role.HR)
    adviser.email = "hana.hr@trust.test"
    adviser.save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/accounts/break-glass/", {"username": bea.username, "password": CAST_PASSWORD}
        )
    assert [m.to for m in mail.outbox] == [["hana.hr@trust.test"]]


def test_refused_and_wrong_passwords_are_not_break_glass_logins(
    passwords_off: None,
    bea: Any,
    hr_leads: list[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from accounts.roles import Role

    from ..factories import make_user

    make_user("hana.hr", Role.HR)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/break-glass/", {"username": "hana.hr", "password": CAST_PASSWORD})
        Client().post("/accounts/break-glass/", {"username": bea.username, "password": "wrong"})
    assert break_glass_events() == []
    assert mail.outbox == []


def test_a_break_glass_account_the_admin_refuses_is_no_login_and_not_recorded(
    passwords_off: None, hr_leads: list[str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    # Not staff: its password is right, but the admin does not let it in.
    get_user_model().objects.create_user("bea.breakglass", password=CAST_PASSWORD)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/login/", {"username": "bea.breakglass", "password": CAST_PASSWORD})
    assert SESSION_KEY not in client.session
    assert break_glass_events() == []


def test_with_passwords_on_a_password_login_is_ordinary(
    sso_on: Provider,
    settings: Any,
    bea: Any,
    hr_leads: list[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.FTP_LOCAL_LOGIN_ENABLED = True
    settings.FTP_BREAK_GLASS_USERNAMES = frozenset({bea.username})
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/login/", {"username": bea.username, "password": CAST_PASSWORD})
    assert break_glass_events() == []
    assert mail.outbox == []


def test_a_single_sign_on_is_no_break_glass_login(
    passwords_off: None, hr_leads: list[str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in(Client(), "hana@nhs.test")["Location"] == "/"
    assert break_glass_events() == []
    assert mail.outbox == []


def test_the_break_glass_page_locks_out_after_too_many_wrong_passwords(
    passwords_off: None, bea: Any, settings: Any
) -> None:
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES):
        wrong = Client().post("/accounts/break-glass/", {"username": bea.username, "password": "x"})
        assert wrong.status_code == 200
    locked = Client().post(
        "/accounts/break-glass/", {"username": bea.username, "password": CAST_PASSWORD}
    )
    assert locked.status_code == 429
    assert SESSION_KEY not in Client().session


def test_refusals_of_other_accounts_on_the_break_glass_page_count_towards_the_lockout(
    passwords_off: None, settings: Any
) -> None:
    get_user_model().objects.create_superuser("root", password=CAST_PASSWORD)
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES):
        Client().post("/accounts/break-glass/", {"username": "root", "password": CAST_PASSWORD})
    again = Client().post("/accounts/break-glass/", {"username": "root", "password": CAST_PASSWORD})
    assert again.status_code == 429


@pytest.mark.parametrize("url", ["/accounts/break-glass/", "/admin/login/"])
def test_a_superuser_not_named_break_glass_is_refused_a_password(
    passwords_off: None, url: str
) -> None:
    get_user_model().objects.create_superuser("root", password=CAST_PASSWORD)
    client = Client()
    answer = client.post(url, {"username": "root", "password": CAST_PASSWORD})
    assert answer.status_code == 200
    assert "Logging in with a password is switched off here" in answer.content.decode()
    assert SESSION_KEY not in client.session


def test_the_break_glass_page_never_sends_a_person_to_another_site(
    passwords_off: None, bea: Any
) -> None:
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https:evil.example",
    ):
        answer = Client().post(
            f"/accounts/break-glass/?next={target}",
            {"username": bea.username, "password": CAST_PASSWORD, "next": target},
        )
        assert answer.status_code == 302
        assert "evil" not in answer["Location"]
