"""Start the test identity provider (``tests/sso/idp/``) on a free loopback
port, in a process of its own with its own SQLite file, and stop it.

It is django-oidc-provider, a real OpenID provider: the app under test
redirects to its authorize endpoint, a person signs in on its login page, and
the app exchanges the code at its token endpoint, checks the ID token against
its published keys and calls its userinfo endpoint, all over HTTP. Nothing
of the client is mocked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "ftp-under-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"  # the test provider's
PASSWORD = "idp-Pass-2026!"  # every test person's at the test provider


@dataclass(frozen=True)
class Someone:
    """A person at the provider: what it knows and sends about them."""

    username: str
    groups: tuple[str, ...]
    oid: str
    given_name: str = "Test"
    family_name: str = "Person"
    email: str = ""
    employeeid: str = ""
    groups_in: str = "id_token"  # or "userinfo", "both"

    def as_json(self) -> dict[str, Any]:
        return {
            "password": PASSWORD,
            "groups": list(self.groups),
            "oid": self.oid,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
            "employeeid": self.employeeid,
            "groups_in": self.groups_in,
        }


@dataclass
class Provider:
    """A running test provider: its address and the settings the app needs."""

    url: str
    workdir: Path
    people: dict[str, Someone] = field(default_factory=dict)

    def know(self, people: Mapping[str, Someone]) -> None:
        """What the provider knows from now on (it reads the file on each request)."""
        self.people = dict(people)
        (self.workdir / "people.json").write_text(
            json.dumps({name: someone.as_json() for name, someone in people.items()})
        )

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def app_settings(self) -> dict[str, Any]:
        """mozilla-django-oidc's settings pointing at this provider, as
        config/settings.py sets them from FTP_OIDC_*."""
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
        }


def _env(port: int, workdir: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("FTP_", "DJANGO_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "tests.sso.idp.settings",
        "PYTHONPATH": str(ROOT),
        "IDP_PORT": str(port),
        "IDP_DB": str(workdir / "idp.sqlite3"),
        "IDP_PEOPLE": str(workdir / "people.json"),
    }


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"The test identity provider stopped:\n{log.read_text()}", pytrace=False)
        try:
            requests.get(f"{url}/openid/.well-known/openid-configuration", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"The test identity provider did not answer in 30 s:\n{log.read_text()}")


@contextmanager
def running_provider(
    workdir: Path, redirect_uris: list[str], people: Mapping[str, Someone]
) -> Iterator[Provider]:
    """The provider, prepared (tables, signing key, client, people) and answering."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    provider = Provider(url=f"http://127.0.0.1:{port}", workdir=workdir)
    provider.know(people)
    env = _env(port, workdir)
    subprocess.run(  # noqa: S603 (our own module)
        [sys.executable, "-m", "tests.sso.idp.setup", CLIENT_ID, CLIENT_SECRET, *redirect_uris],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    log = workdir / "idp.log"
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 (Django's own runserver)
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_answering(provider.url, proc, log)
            yield provider
        finally:
            stop_group(proc, timeout=10)
