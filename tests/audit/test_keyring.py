"""The audit key comes from the environment or a secrets file, strictly, and
never shows; production will not start without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from audit.keyring import (
    DEVELOPMENT_KEY_ID,
    DEVELOPMENT_SECRET,
    keyring_from_config,
)

ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = "o" * 40, "n" * 40


def production_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh process with production's required
    variables and ``env``, and nothing else of ours."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FTP_", "DATABASE_URL", "REDIS_", "SECRET_KEY", "ALLOWED_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(repr(s.FTP_AUDIT_KEYRING))"],
        cwd=ROOT,
        env={
            **clean,
            "FTP_ENV": "production",
            "SECRET_KEY": "s" * 50,
            "ALLOWED_HOSTS": "ftp.example.nhs.uk",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ftp_audit",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_key() -> None:
    result = production_settings()
    assert result.returncode != 0
    assert "Set FTP_AUDIT_KEY or FTP_AUDIT_KEY_FILE in production" in result.stderr


def test_production_refuses_a_short_key_and_the_development_key_without_showing_them() -> None:
    short = production_settings(FTP_AUDIT_KEY="short-secret-value")
    assert short.returncode != 0
    assert "at least 32 bytes, not 18" in short.stderr
    assert "short-secret-value" not in short.stderr
    dev = production_settings(FTP_AUDIT_KEY=DEVELOPMENT_SECRET)
    assert dev.returncode != 0
    assert "development key is public" in dev.stderr
    assert DEVELOPMENT_SECRET not in dev.stderr


def test_production_starts_with_a_key_from_a_secrets_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "ftp_audit_key"
    secret_file.write_text(NEW + "\n")  # as Docker and Kubernetes mount secrets
    result = production_settings(
        FTP_AUDIT_KEY_FILE=str(secret_file), FTP_AUDIT_CURRENT_KEY_ID="2026b"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Keyring(current='2026b', ids=['2026b'])"


def test_local_and_test_runs_sign_with_the_named_development_key() -> None:
    assert settings.FTP_AUDIT_KEYRING.current_id == DEVELOPMENT_KEY_ID
    assert keyring_from_config(production=False).current.secret == DEVELOPMENT_SECRET.encode()


def test_rotation_keeps_old_keys_to_verify_and_signs_with_the_current_one(
    tmp_path: Path,
) -> None:
    keys_file = tmp_path / "audit-keys"
    keys_file.write_text(f"# retired 2026-11-30\n2026a={OLD}\n\n2026b={NEW}\n")
    ring = keyring_from_config(keys_file=str(keys_file), current_id="2026b", production=True)
    assert ring.current.id == "2026b"
    assert ring.current.secret == NEW.encode()
    old = ring.get("2026a")
    assert old is not None
    assert old.secret == OLD.encode()
    # The same from the environment, with the current key given on its own.
    ring = keyring_from_config(key=NEW, keys=f"2026a={OLD}", current_id="2026b", production=True)
    assert sorted(ring.keys) == ["2026a", "2026b"]
    assert ring.current.secret == NEW.encode()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"keys": f"2026a={OLD},2026b={NEW}"}, "name the one that signs new events"),
        ({"keys": f"2026a={OLD}", "current_id": "2026c"}, "'2026c', which is not among"),
        ({"keys": f"2026a={OLD},2026a={NEW}", "current_id": "2026a"}, "given twice"),
        ({"keys": OLD}, "entry 1: expected id=secret"),
        ({"keys": f"bad id={OLD}"}, "a key id is 1 to 32 letters"),
        ({"keys": f"2026a={OLD} x"}, "must not contain spaces"),
        ({"key": NEW, "keys": f"1={OLD}"}, "Key id '1' is given twice"),
        ({"key": NEW, "key_file": "/x"}, "not both"),
        ({"keys": f"a={OLD}", "keys_file": "/x"}, "not both"),
        ({"key_file": "/nonexistent/ftp_audit_key"}, "cannot read /nonexistent/ftp_audit_key"),
        ({"current_id": "2026a"}, "no key is configured"),
    ],
)
def test_a_doubtful_configuration_is_refused_clearly(config: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message) as raised:
        keyring_from_config(production=False, **config)
    assert OLD not in str(raised.value)
    assert NEW not in str(raised.value)


@given(
    st.text(alphabet="0123456789abcdef", min_size=8, max_size=70),
    st.text(min_size=0, max_size=12),
)
def test_no_error_ever_repeats_a_secret(secret: str, noise: str) -> None:
    """Whatever surrounds it, an error says where the problem is, never the secret."""
    configs: list[dict[str, str]] = [
        {"key": secret + noise},
        {"keys": secret + noise},
        {"keys": f"{noise}={secret}"},
        {"keys": f"a={secret}{noise},b={secret}", "current_id": noise},
    ]
    for config in configs:
        assert secret not in refusal(config)


def refusal(config: dict[str, str]) -> str:
    """What ``keyring_from_config`` says refusing ``config`` in production ('' if it
    accepts it: some generated configs are valid, so this is no ``pytest.raises``)."""
    try:
        keyring_from_config(production=True, **config)
    except ImproperlyConfigured as exc:
        return str(exc)
    return ""


def test_a_keyring_shows_ids_never_secrets() -> None:
    ring = keyring_from_config(keys=f"2026a={OLD},2026b={NEW}", current_id="2026b", production=True)
    assert OLD not in repr(ring)
    assert NEW not in repr(ring)
    assert repr(ring) == "Keyring(current='2026b', ids=['2026a', '2026b'])"
