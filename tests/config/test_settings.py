"""Settings parse the environment strictly and production refuses to start unsafely."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from config.env import env_bool, env_header, env_int, env_int_map, env_origins

ROOT = Path(__file__).resolve().parents[2]
AUDIT_KEY = "a" * 64  # the audit chain's key, required in production (>= 32 bytes)


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FTP_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_booleans_are_true_or_false_only(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "false")
    assert env_bool("X_FLAG", True) is False


def test_numbers_are_checked(monkeypatch):
    monkeypatch.setenv("X_NUM", "three")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_NUM", 1)


def test_production_refuses_without_a_secret_key():
    result = _load_settings(FTP_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_without_redis():
    result = _load_settings(
        FTP_ENV="production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="ftp.example.nhs.uk",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ftp",
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_production_starts_with_its_secrets_and_forbids_demo_data():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; "
            "print(settings.FTP_DEMO_DATA_ALLOWED, settings.DEBUG)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "FTP_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "ftp.example.nhs.uk",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ftp",
            "FTP_AUDIT_KEY": AUDIT_KEY,
            "FTP_DEMO_DATA_ALLOWED": "true",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_test_environment_refuses_to_run_without_redis():
    result = _load_settings(FTP_ENV="test")
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_stage_time_limits_take_known_stages_and_whole_numbers(monkeypatch):
    defaults = {"submitted": 5, "panel": 15}
    monkeypatch.setenv("X_LIMITS", "panel=12")
    assert env_int_map("X_LIMITS", defaults, minimum=1) == {"submitted": 5, "panel": 12}
    for bad in ("pannel=12", "panel", "panel=twelve", "panel=0"):
        monkeypatch.setenv("X_LIMITS", bad)
        with pytest.raises(ImproperlyConfigured, match="X_LIMITS"):
            env_int_map("X_LIMITS", defaults, minimum=1)


# --- Security headers and deployment ------------------------------------------

PRODUCTION = {
    "FTP_ENV": "production",
    "SECRET_KEY": "s" * 50,
    "ALLOWED_HOSTS": "ftp.example.nhs.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ftp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FTP_AUDIT_KEY": AUDIT_KEY,
}
SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "FTP_API_SCHEMA_PUBLIC",
)


def _security_settings(**env: str) -> dict[str, Any]:
    """The security settings as ``config.settings`` reads them from ``env`` alone."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "FTP_",
                "DATABASE_URL",
                "REDIS_",
                "SECRET_KEY",
                "ALLOWED_",
                "DEBUG",
                "SECURE_",
                "CSRF_",
            )
        )
    }
    program = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and program)
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def test_production_refuses_to_start_with_debug_on() -> None:
    result = _load_settings(**PRODUCTION, DEBUG="true")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be false in production" in result.stderr


def test_production_starts_with_debug_off_said_or_unsaid() -> None:
    assert _security_settings(**PRODUCTION, DEBUG="false")["DEBUG"] is False
    assert _security_settings(**PRODUCTION)["DEBUG"] is False


def test_production_sends_hsts_for_a_year_and_keeps_cookies_to_https() -> None:
    production = _security_settings(**PRODUCTION)

    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    for cookie in ("SESSION", "CSRF"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True
        assert production[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert production[f"{cookie}_COOKIE_SAMESITE"] == "Lax"
    assert production["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    # No proxy is trusted to say the request came over HTTPS unless one is named.
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    assert production["CSRF_TRUSTED_ORIGINS"] == []


def test_hsts_and_cookies_stay_off_outside_production_where_there_is_no_https() -> None:
    local = _security_settings(FTP_ENV="test", REDIS_URL="redis://127.0.0.1:6379/0")

    assert local["SECURE_HSTS_SECONDS"] == 0
    assert local["SECURE_SSL_REDIRECT"] is False
    assert local["SESSION_COOKIE_SECURE"] is False
    assert local["CSRF_COOKIE_SECURE"] is False
    # The headers that cost nothing over plain HTTP are sent everywhere.
    assert local["X_FRAME_OPTIONS"] == "DENY"
    assert local["SESSION_COOKIE_HTTPONLY"] is True
    assert local["CSRF_COOKIE_HTTPONLY"] is True


def test_a_trust_can_tune_hsts_name_its_proxy_and_trust_origins() -> None:
    tuned = _security_settings(
        **PRODUCTION,
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        CSRF_TRUSTED_ORIGINS="https://ftp.example.nhs.uk, https://intranet.example.nhs.uk",
        SESSION_COOKIE_SAMESITE="Strict",
    )

    assert tuned["SECURE_HSTS_SECONDS"] == 600
    assert tuned["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert tuned["SECURE_HSTS_PRELOAD"] is False
    assert tuned["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert tuned["CSRF_TRUSTED_ORIGINS"] == [
        "https://ftp.example.nhs.uk",
        "https://intranet.example.nhs.uk",
    ]
    assert tuned["SESSION_COOKIE_SAMESITE"] == "Strict"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "SECURE_PROXY_SSL_HEADER"),
        ("CSRF_TRUSTED_ORIGINS", "ftp.example.nhs.uk", "CSRF_TRUSTED_ORIGINS"),
        ("SESSION_COOKIE_SAMESITE", "None", "SESSION_COOKIE_SAMESITE"),
        ("SECURE_REFERRER_POLICY", "unsafe-url", "SECURE_REFERRER_POLICY"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS"),
        ("FTP_API_SCHEMA_PUBLIC", "maybe", "FTP_API_SCHEMA_PUBLIC"),
    ],
)
def test_unsafe_or_mistyped_security_settings_are_refused_by_name(
    name: str, value: str, message: str
) -> None:
    result = _load_settings(**PRODUCTION, **{name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_the_api_schema_is_public_by_default_only_outside_production() -> None:
    assert _security_settings(**PRODUCTION)["FTP_API_SCHEMA_PUBLIC"] is False
    assert (
        _security_settings(**PRODUCTION, FTP_API_SCHEMA_PUBLIC="true")["FTP_API_SCHEMA_PUBLIC"]
        is True
    )
    test = _security_settings(FTP_ENV="test", REDIS_URL="redis://127.0.0.1:6379/0")
    assert test["FTP_API_SCHEMA_PUBLIC"] is True


@given(raw=st.text(max_size=60))
@examples(max_examples=200, deadline=None)
def test_whatever_is_given_as_origins_is_origins_or_refused(raw: str) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("X_ORIGINS", raw.replace("\x00", ""))
        try:
            origins = env_origins("X_ORIGINS", [])
        except ImproperlyConfigured as exc:
            refused = str(exc)
        else:
            refused = ""
    if refused:  # refused, naming the variable (most generated text is no list of origins)
        assert "X_ORIGINS" in refused
        return
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        assert scheme in ("http", "https")
        assert rest
        assert not set(rest) & set("/?#@ ,\\")


@given(raw=st.text(max_size=40))
@examples(max_examples=200, deadline=None)
def test_whatever_is_given_as_a_proxy_header_is_a_header_or_refused(raw: str) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("X_HEADER", raw.replace("\x00", ""))
        try:
            key = env_header("X_HEADER")
        except ImproperlyConfigured as exc:
            refused = str(exc)
        else:
            refused = ""
    if refused:  # refused, naming the variable
        assert "X_HEADER" in refused
        return
    assert key is None or re.fullmatch(r"HTTP_[A-Z0-9]+(_[A-Z0-9]+)*", key)
