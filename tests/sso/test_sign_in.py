"""Signing in with the test identity provider, over HTTP: the code exchange,
the ID token checked against the provider's keys, userinfo; then who the
person is here, which roles they get, which employee record is theirs, and
what someone with no role here meets."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from panels.models import PoolMember
from staff.events import SsoAuditEvent
from staff.models import Employee, SsoIdentity
from tenancy.context import trust_entered

from ..factories import EmployeeFactory, make_user
from .conftest import PEOPLE, regroup, sign_in
from .provider import Provider

pytestmark = pytest.mark.django_db


def signed_in_user(client: Client) -> Any:
    user_id = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=user_id) if user_id else None


def sign_in_client(username: str) -> Client:
    client = Client()
    answer = sign_in(client, username)
    assert answer.status_code == 302, answer
    assert answer["Location"] == "/"
    return client


def test_a_person_in_a_mapped_group_signs_in_with_its_role(sso_on: Provider) -> None:
    client = Client()
    answer = sign_in(client, "hana@nhs.test")
    assert answer.status_code == 302
    assert answer["Location"] == "/"
    hana = signed_in_user(client)
    assert user_roles(hana) == {Role.HR}
    identity = SsoIdentity.objects.get(user=hana)
    assert identity.issuer == sso_on.issuer  # the verified ID token's issuer
    assert identity.first_login_at == identity.last_login_at
    assert not hana.has_usable_password()
    assert (hana.email, hana.first_name, hana.last_name) == (
        "hana.adviser@nhs.test",
        "Hana",
        "Adviser",
    )
    assert client.get("/cases/panels/").status_code == 200  # an HR-only page


def test_groups_sent_only_by_userinfo_count_too(sso_on: Provider) -> None:
    client = Client()
    sign_in(client, "paul@nhs.test")
    assert user_roles(signed_in_user(client)) == {Role.PANEL}


def test_groups_from_both_places_give_every_mapped_role(sso_on: Provider) -> None:
    client = Client()
    sign_in(client, "mo@nhs.test")
    assert user_roles(signed_in_user(client)) == {Role.HR, Role.MANAGER}


def test_roles_are_set_afresh_at_every_sign_in(sso_on: Provider) -> None:
    first = signed_in_user(sign_in_client("mo@nhs.test"))
    regroup(sso_on, "mo@nhs.test", "g-ftp-managers")  # taken out of the HR group at the provider
    again = signed_in_user(sign_in_client("mo@nhs.test"))
    assert again.pk == first.pk  # the same person: found by subject
    assert user_roles(again) == {Role.MANAGER}
    identity = SsoIdentity.objects.get(user=again)
    assert identity.last_login_at > identity.first_login_at


def test_a_person_is_found_by_subject_never_by_email_alone(sso_on: Provider) -> None:
    # A password login with the same address (and even the address as its
    # username) is someone else as far as sign-in is concerned.
    other = make_user("hana.adviser@nhs.test", Role.MANAGER)
    other.email = "hana.adviser@nhs.test"
    other.save()
    hana = signed_in_user(sign_in_client("hana@nhs.test"))
    assert hana.pk != other.pk
    assert hana.username.startswith("sso-")
    assert user_roles(other) == {Role.MANAGER}


def test_the_employee_record_is_linked_by_staff_number(sso_on: Provider) -> None:
    employee: Employee = EmployeeFactory.create(staff_number="E900001")
    hana = signed_in_user(sign_in_client("hana@nhs.test"))
    employee.refresh_from_db()
    assert employee.user_id == hana.pk


def test_without_a_staff_number_the_record_is_linked_by_email(sso_on: Provider) -> None:
    employee: Employee = EmployeeFactory.create(email="Paul.Member@nhs.test")
    paul = signed_in_user(sign_in_client("paul@nhs.test"))
    employee.refresh_from_db()
    assert employee.user_id == paul.pk
    # The panel role with a linked record: the pool joins, as for add_user (RoleGiven).
    assert PoolMember.objects.filter(user=paul).exists()


def test_an_email_shared_by_two_records_links_neither(sso_on: Provider) -> None:
    EmployeeFactory.create(email="paul.member@nhs.test")
    EmployeeFactory.create(email="paul.member@nhs.test")
    sign_in_client("paul@nhs.test")
    assert not Employee.objects.filter(user__isnull=False).exists()


def test_a_record_linked_to_another_login_is_left_alone_and_the_refusal_recorded(
    sso_on: Provider,
) -> None:
    someone_else = make_user("someone.else", Role.HR)
    employee: Employee = EmployeeFactory.create(staff_number="E900001", user=someone_else)
    hana = signed_in_user(sign_in_client("hana@nhs.test"))  # still signs in
    employee.refresh_from_db()
    assert employee.user_id == someone_else.pk
    event = AuditEvent.objects.get(action=SsoAuditEvent.LINK_REFUSED)
    assert event.actor_id == hana.pk
    assert event.payload["employee"] == "E900001"
    assert event.payload["matched_by"] == "staff_number"


def test_a_person_with_no_mapped_group_is_refused_with_a_clear_page_and_recorded(
    sso_on: Provider,
) -> None:
    client = Client()
    answer = sign_in(client, "nina@nhs.test")
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/no-access/"
    assert SESSION_KEY not in client.session
    assert not SsoIdentity.objects.exists()
    assert not get_user_model().objects.filter(email="nina.noaccess@nhs.test").exists()
    with trust_entered(None):  # before any trust: the deployment's chain
        event = AuditEvent.objects.get(action=SsoAuditEvent.REFUSED)
    assert event.actor_id is None
    assert event.payload["groups_seen"] == len(PEOPLE["nina@nhs.test"].groups)
    assert event.payload["issuer"] == sso_on.issuer
    assert event.payload["subject"]
    assert event.payload["reason"] == "no_role"
    shown = str(event.payload).lower()
    assert "nina" not in shown
    assert "g-theatres" not in shown
    page = client.get(answer["Location"])
    assert page.status_code == 403
    assert "Your NHSmail account signed in, but it holds no role" in page.content.decode()
    assert "ask your HR team" in page.content.decode()


def test_someone_taken_out_of_every_mapped_group_is_refused_and_loses_their_roles(
    sso_on: Provider,
) -> None:
    mo = signed_in_user(sign_in_client("mo@nhs.test"))
    regroup(sso_on, "mo@nhs.test", "g-all-staff")
    client = Client()
    assert sign_in(client, "mo@nhs.test")["Location"] == "/accounts/no-access/"
    mo.refresh_from_db()
    assert user_roles(mo) == frozenset()
    with trust_entered(None):  # before any trust: the deployment's chain
        assert AuditEvent.objects.get(action=SsoAuditEvent.REFUSED).actor_id == mo.pk


def test_a_code_the_provider_does_not_know_sends_the_person_back_to_log_in(
    sso_on: Provider,
) -> None:
    client = Client()
    begun = client.get("/oidc/authenticate/")
    state = begun["Location"].split("state=")[1].split("&")[0]
    answer = client.get(f"/oidc/callback/?code=forged&state={state}", follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain[-1][0] == "/accounts/login/"
    assert "Signing in with NHSmail did not work" in answer.content.decode()
    assert SESSION_KEY not in client.session


def test_the_next_page_asked_for_is_where_a_sign_in_lands(sso_on: Provider) -> None:
    client = Client()
    answer = sign_in(client, "hana@nhs.test", start="/oidc/authenticate/?next=/cases/panels/")
    assert answer["Location"] == "/cases/panels/"


def test_refused_sign_ins_never_lock_out_the_address(sso_on: Provider, settings: Any) -> None:
    # A trust signs in from one address: people with no role trying again and
    # again must not stop everyone else (the lockout counts passwords only).
    for _ in range(settings.FTP_LOGIN_MAX_FAILURES + 1):
        assert sign_in(Client(), "nina@nhs.test")["Location"] == "/accounts/no-access/"
    assert sign_in(Client(), "nina@nhs.test")["Location"] == "/accounts/no-access/"
    assert sign_in(Client(), "hana@nhs.test")["Location"] == "/"


def test_with_single_sign_on_off_its_routes_are_not_there(client: Client) -> None:
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_the_login_page_offers_nhsmail_while_single_sign_on_is_on(
    sso_on: Provider, client: Client
) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with NHSmail" in page
    assert 'name="password"' in page  # local login is on by default outside production
