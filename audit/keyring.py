"""The keys that sign the audit chain, read from the environment at start-up.

The chain is keyed (HMAC-SHA256, ``audit.chain``) so that write access to the
database is not enough to rewrite history: recomputing the links needs a
secret that lives only in the application's environment or a secrets file,
never in the database, in an event or in a log line.

Each key has an id, stored with every event it signs, so keys can be
rotated: a new key is added and made current, and old keys stay configured
to verify the events they signed. ``config/settings.py`` builds the keyring
with ``keyring_from_config`` (the only reader of these variables):

* ``FTP_AUDIT_KEY`` or ``FTP_AUDIT_KEY_FILE``: the current key's secret, as
  a value or as a file holding it (a Docker or Kubernetes secret);
* ``FTP_AUDIT_KEYS`` (``id=secret`` entries, comma-separated) or
  ``FTP_AUDIT_KEYS_FILE`` (one ``id=secret`` per line, ``#`` comments): more
  keys, such as the ones retired by a rotation;
* ``FTP_AUDIT_CURRENT_KEY_ID``: which key signs new events. It names the
  ``FTP_AUDIT_KEY`` secret (default ``1``), or else one of the keyring's ids
  (it may be left out when there is exactly one).

Parsing is strict and an error never repeats a secret. Production refuses to
start without a key, or with the development key; local and test runs use
the development key when none is configured.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Shorter secrets are refused everywhere: the key is the chain's only secret.
MIN_SECRET_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
DEFAULT_KEY_ID = "1"

# The key local and test runs sign with when none is configured. Public by
# design (it is in the repository), so production refuses it.
DEVELOPMENT_KEY_ID = "dev-insecure"
DEVELOPMENT_SECRET = "ftp-audit-chain-DEVELOPMENT-key-public-never-use-in-production"  # noqa: S105


@dataclasses.dataclass(frozen=True)
class AuditKey:
    """One signing key. Its repr shows the id only, so the secret cannot
    reach a log line, ``diffsettings`` or an error page by accident."""

    id: str
    secret: bytes = dataclasses.field(repr=False)

    def hmac(self, message: bytes) -> str:
        """HMAC-SHA256 of ``message`` under this key, as 64 hex characters."""
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


@dataclasses.dataclass(frozen=True)
class Keyring:
    """Every configured key by id, and the one that signs new events."""

    keys: Mapping[str, AuditKey]
    current_id: str

    @property
    def current(self) -> AuditKey:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> AuditKey | None:
        return self.keys.get(key_id)

    def __repr__(self) -> str:
        return f"Keyring(current={self.current_id!r}, ids={sorted(self.keys)!r})"


def development_keyring() -> Keyring:
    """The keyring of local and test runs that configure no key."""
    key = AuditKey(DEVELOPMENT_KEY_ID, DEVELOPMENT_SECRET.encode())
    return Keyring({key.id: key}, key.id)


def keyring_from_config(
    *,
    key: str = "",
    key_file: str = "",
    keys: str = "",
    keys_file: str = "",
    current_id: str = "",
    production: bool,
) -> Keyring:
    """Build the keyring from the raw values of the ``FTP_AUDIT_*`` variables
    (empty when unset); ``ImproperlyConfigured`` on anything doubtful.

    In order: each variable given one way only; the keyring's entries; the
    single current key added to them; with no key at all, the development
    keyring (never in production); then which key is current, and never the
    public development key in production."""
    if key and key_file:
        raise ImproperlyConfigured("Set FTP_AUDIT_KEY or FTP_AUDIT_KEY_FILE, not both.")
    if keys and keys_file:
        raise ImproperlyConfigured("Set FTP_AUDIT_KEYS or FTP_AUDIT_KEYS_FILE, not both.")
    found = _keyring_entries(keys, keys_file)
    single_id = _add_single_key(found, key, key_file, current_id)
    current_id = single_id or current_id
    if not found:
        return _no_key_configured(current_id, production=production)
    current_id = _current_key_id(found, current_id)
    if production and any(k.secret == DEVELOPMENT_SECRET.encode() for k in found.values()):
        raise ImproperlyConfigured(
            "The audit chain's development key is public: not in production."
        )
    return Keyring(found, current_id)


def _keyring_entries(keys: str, keys_file: str) -> dict[str, AuditKey]:
    """The keys of ``FTP_AUDIT_KEYS`` or ``FTP_AUDIT_KEYS_FILE`` (none if neither)."""
    if keys:
        return _parse_entries(keys.split(","), "FTP_AUDIT_KEYS")
    if keys_file:
        return _parse_entries(_read(keys_file, "FTP_AUDIT_KEYS_FILE").splitlines(), keys_file)
    return {}


def _add_single_key(found: dict[str, AuditKey], key: str, key_file: str, current_id: str) -> str:
    """Add the ``FTP_AUDIT_KEY`` (or ``_FILE``) secret to ``found`` under
    ``current_id`` (default ``1``) and return that id; '' when neither is set."""
    single = key or (_read(key_file, "FTP_AUDIT_KEY_FILE").strip() if key_file else "")
    if not single:
        return ""
    name = "FTP_AUDIT_KEY" if key else "FTP_AUDIT_KEY_FILE"
    single_id = current_id or DEFAULT_KEY_ID
    _check_id(single_id, "FTP_AUDIT_CURRENT_KEY_ID")
    if single_id in found:
        raise ImproperlyConfigured(
            f"Key id {single_id!r} is given twice ({name} and the keyring): "
            "give the current key a new id with FTP_AUDIT_CURRENT_KEY_ID."
        )
    found[single_id] = AuditKey(single_id, _check_secret(single, name))
    return single_id


def _no_key_configured(current_id: str, *, production: bool) -> Keyring:
    """No key at all: the development keyring, except in production."""
    if production:
        raise ImproperlyConfigured(
            "Set FTP_AUDIT_KEY or FTP_AUDIT_KEY_FILE in production: the audit chain's key "
            f"(at least {MIN_SECRET_BYTES} bytes)."
        )
    if current_id:
        raise ImproperlyConfigured("FTP_AUDIT_CURRENT_KEY_ID is set but no key is configured.")
    return development_keyring()


def _current_key_id(found: Mapping[str, AuditKey], current_id: str) -> str:
    """The id of the key that signs new events: ``current_id``, or the only key."""
    if not current_id:
        if len(found) > 1:
            raise ImproperlyConfigured(
                "Several audit keys are configured: name the one that signs new events "
                "with FTP_AUDIT_CURRENT_KEY_ID."
            )
        [current_id] = found
    if current_id not in found:
        raise ImproperlyConfigured(
            f"FTP_AUDIT_CURRENT_KEY_ID is {current_id!r}, which is not among the configured "
            f"keys ({', '.join(sorted(found))})."
        )
    return current_id


def _read(path: str, name: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ImproperlyConfigured(f"{name}: cannot read {path}: {reason}.") from None


def _parse_entries(entries: list[str], source: str) -> dict[str, AuditKey]:
    """``id=secret`` entries; blank entries and ``#`` comments are skipped.
    Errors say where, never what: the entry may hold a secret."""
    found: dict[str, AuditKey] = {}
    for number, raw in enumerate(entries, 1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, secret = entry.partition("=")
        where = f"{source}, entry {number}"
        if not sep:
            raise ImproperlyConfigured(f"{where}: expected id=secret.")
        _check_id(key_id, where)
        if key_id in found:
            raise ImproperlyConfigured(f"{where}: key id {key_id!r} is given twice.")
        found[key_id] = AuditKey(key_id, _check_secret(secret, where))
    return found


def _check_id(key_id: str, where: str) -> None:
    if not KEY_ID.match(key_id):
        raise ImproperlyConfigured(
            f"{where}: a key id is 1 to 32 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit."
        )


def _check_secret(secret: str, where: str) -> bytes:
    value = secret.encode()
    if len(value) < MIN_SECRET_BYTES:
        raise ImproperlyConfigured(
            f"{where}: the audit key must be at least {MIN_SECRET_BYTES} bytes, "
            f"not {len(value)} (e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if any(c.isspace() or c == "," for c in secret):
        raise ImproperlyConfigured(f"{where}: the audit key must not contain spaces or commas.")
    return value
