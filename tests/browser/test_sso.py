"""Signing in with NHSmail in a real browser, through a real OpenID provider.

The test identity provider (``tests/sso/idp/``, django-oidc-provider) runs on
another loopback port, with the app under test as its client. Chromium
clicks "Sign in with NHSmail", signs in on the provider's own login page and
comes back through the code exchange: an HR adviser lands in the product
with the HR role (the HR-only Panels page opens), and someone in no mapped
group lands on the no-access page, which is checked with axe, and their
refusal is in the audit log.

The provider sends its groups, ``oid`` and ``employeeid`` in the ID token, as
Entra does; the app is set up as docs/sso.md tells a trust to set it up for
Entra (subject claim ``oid``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.roles import Role, user_roles
from audit.models import AuditEvent
from staff.events import SsoAuditEvent
from staff.models import SsoIdentity
from tenancy.context import trust_entered

from ..policy import policy_set
from ..sso.conftest import PEOPLE, ROLE_MAP
from ..sso.provider import PASSWORD, Provider, running_provider
from .people import Browsing, Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass(frozen=True)
class Newcomer:
    """Someone with no login here yet: the journey names them by their NHSmail username."""

    username: str

    def get_username(self) -> str:
        return self.username


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    workdir = tmp_path_factory.mktemp("idp-browser")
    with running_provider(workdir, [f"{live_server.url}/oidc/callback/"], PEOPLE) as running:
        yield running


@pytest.fixture
def nhsmail(settings: Any, provider: Provider) -> Provider:
    """Single sign-on on, set up as for Entra ID, against the test provider."""
    settings.FTP_SSO_ENABLED = True
    for name, value in provider.app_settings().items():
        setattr(settings, name, value)
    settings.FTP_OIDC_SUBJECT_CLAIM = "oid"
    settings.FTP_OIDC_ROLE_MAP = ROLE_MAP
    # The map a sign-in reads is the trust's own (tenancy.policy.sso_role_map).
    policy_set(sso_role_map={group: sorted(roles) for group, roles in ROLE_MAP.items()})
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "staff.sso.SsoBackend"]
    return provider


def sign_in_with_nhsmail(someone: Person, journey: str) -> None:
    """From the app's login page, through the provider's, by keyboard."""
    someone.open("/accounts/login/", "Log in", name="login with NHSmail")
    someone.shot(journey, "00-login")
    someone.main.get_by_role("link", name="Sign in with NHSmail").click()
    page = someone.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Test NHSmail")
    someone.shot(journey, "01-provider")
    page.get_by_label("Email or username").fill(someone.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.startswith(someone.browsing.base_url))


def test_an_hr_adviser_signs_in_with_nhsmail_and_works_as_hr(
    browsing: Browsing, nhsmail: Provider
) -> None:
    hana = browsing.person(Newcomer("hana@nhs.test"))
    sign_in_with_nhsmail(hana, "sso-hr")
    hana.settle()
    hana.menu("Panels", "Panels")  # HR's alone
    hana.shot("sso-hr", "02-panels")
    user = SsoIdentity.objects.get(subject="oid-hana").user
    assert user_roles(user) == {Role.HR}


def test_someone_in_no_mapped_group_lands_on_the_no_access_page(
    browsing: Browsing, nhsmail: Provider
) -> None:
    nina = browsing.person(Newcomer("nina@nhs.test"))
    sign_in_with_nhsmail(nina, "sso-no-access")
    nina.arrive("You have no access here", name="no access")
    nina.shot("sso-no-access", "02-no-access")
    assert "holds no role in the Fair Treatment Panel" in nina.text()
    assert "ask your HR team" in nina.text()
    assert not get_user_model().objects.filter(email="nina.noaccess@nhs.test").exists()
    with trust_entered(None):  # refused before any trust: the deployment's chain
        refusal = AuditEvent.objects.get(action=SsoAuditEvent.REFUSED)
    assert refusal.payload["subject"] == "oid-nina"
    assert refusal.payload["groups_seen"] == 2
