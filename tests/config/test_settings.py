"""Settings parse the environment strictly and production refuses to start unsafely."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_int_map

ROOT = Path(__file__).resolve().parents[2]


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
