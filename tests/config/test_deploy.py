"""A production configuration passes Django's deployment checklist with no warning."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    """The environment a trust would run with: its own secrets, host, database and
    Redis, and nothing else of ours inherited from the test run."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("FTP_", "DATABASE_URL", "REDIS_", "SECRET_KEY", "ALLOWED_", "DEBUG", "SECURE_")
        )
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        **clean,
        "FTP_ENV": "production",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "ftp.example.nhs.uk",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ftp_deploy",
        "REDIS_URL": "redis://127.0.0.1:6379/7",
        # The audit chain's key (>= 32 bytes), required in production.
        "FTP_AUDIT_KEY": secrets.token_hex(32),
        **extra,
    }


def test_the_deployment_checklist_passes_in_production_with_no_warning() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output.upper(), output
    assert "System check identified no issues" in output
