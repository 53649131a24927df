"""Single sign-on's settings: strict parsing of the role map, the secret and
the endpoints; SSO on needs every endpoint; passwords off by default in
production with SSO on."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_pairs, env_secret, env_url

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("manager", "hr", "panel", "decision_maker", "governance")
SSO = {
    "FTP_OIDC_CLIENT_ID": "ftp",
    "FTP_OIDC_CLIENT_SECRET": "s3cret",
    "FTP_OIDC_AUTHORIZATION_ENDPOINT": "https://login.example/authorize",
    "FTP_OIDC_TOKEN_ENDPOINT": "https://login.example/token",
    "FTP_OIDC_USER_ENDPOINT": "https://login.example/userinfo",
    "FTP_OIDC_JWKS_ENDPOINT": "https://login.example/keys",
    "FTP_OIDC_ROLE_MAP": "g-hr=hr",
}
PRODUCTION = {
    "FTP_ENV": "production",
    "SECRET_KEY": "s" * 50,
    "ALLOWED_HOSTS": "ftp.example",
    "DATABASE_URL": "postgres://u@h/db",
    "REDIS_URL": "redis://h:6379/0",
    "FTP_AUDIT_KEY": "a" * 64,
}


def settings_value(expression: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``expression`` over the settings, loaded afresh (local, in a folder of its
    own, unless ``env`` says otherwise) with only ``env`` set."""
    var = Path(tempfile.mkdtemp())
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FTP_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_"))
    }
    code = f"import config.settings as s; print({expression})"
    return subprocess.run(  # noqa: S603 (our own settings)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "FTP_ENV": "local", "FTP_VAR_DIR": str(var), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_role_map_is_group_equals_role_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_MAP", " g-hr = hr , 1b2c=panel, g-hr=governance ,")
    assert env_pairs("X_MAP", ROLES) == {
        "g-hr": frozenset({"hr", "governance"}),
        "1b2c": frozenset({"panel"}),
    }
    monkeypatch.delenv("X_MAP")
    assert env_pairs("X_MAP", ROLES) == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("g-hr=boss", "must be one of manager, hr"),
        ("g-hr", "expected key=value pairs"),
        ("=hr", "expected key=value pairs"),
    ],
)
def test_a_role_map_with_an_unknown_role_or_no_pair_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("X_MAP", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_pairs("X_MAP", ROLES)


def test_the_client_secret_comes_from_the_variable_or_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("X_SECRET", "direct")
    assert env_secret("X_SECRET") == "direct"
    (tmp_path / "secret").write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "secret"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_secret("X_SECRET")
    monkeypatch.delenv("X_SECRET")
    assert env_secret("X_SECRET") == "from-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env_secret("X_SECRET")


def test_endpoints_are_absolute_urls_and_https_where_it_must_be(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("X_URL", "login.example/token")
    with pytest.raises(ImproperlyConfigured, match="absolute"):
        env_url("X_URL", https_only=False)
    monkeypatch.setenv("X_URL", "http://127.0.0.1:9000/token")
    assert env_url("X_URL", https_only=False) == "http://127.0.0.1:9000/token"
    with pytest.raises(ImproperlyConfigured, match="absolute https URL"):
        env_url("X_URL", https_only=True)


def test_single_sign_on_with_an_endpoint_missing_refuses_to_start() -> None:
    env = {k: v for k, v in SSO.items() if k != "FTP_OIDC_JWKS_ENDPOINT"}
    result = settings_value("s.FTP_SSO_ENABLED", **env)
    assert result.returncode != 0
    assert "Single sign-on is on (FTP_OIDC_CLIENT_ID is set); also set FTP_OIDC_JWKS_ENDPOINT" in (
        result.stderr
    )


def test_single_sign_on_maps_onto_the_librarys_settings() -> None:
    result = settings_value(
        "s.FTP_SSO_ENABLED, s.OIDC_OP_JWKS_ENDPOINT, s.AUTHENTICATION_BACKENDS[-1], "
        "s.FTP_LOCAL_LOGIN_ENABLED",
        **SSO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "https://login.example/keys",
        "staff.sso.SsoBackend",
        "True",
    ]


def test_production_with_single_sign_on_switches_passwords_off_by_default() -> None:
    result = settings_value(
        "s.FTP_LOCAL_LOGIN_ENABLED, sorted(s.FTP_BREAK_GLASS_USERNAMES)",
        **PRODUCTION,
        **SSO,
        FTP_BREAK_GLASS_USERNAMES="bea.breakglass",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['bea.breakglass']"


def test_passwords_off_without_single_sign_on_refuses_to_start() -> None:
    result = settings_value("s.FTP_LOCAL_LOGIN_ENABLED", FTP_LOCAL_LOGIN_ENABLED="false")
    assert result.returncode != 0
    assert "nobody but the break-glass accounts could log in" in result.stderr
