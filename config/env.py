"""Strict readers for environment variables.

Settings read the environment here and nowhere else, so a typo such as
``DEBUG=ture`` stops the process with a clear message instead of being read
as false.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_int_map(name: str, default: dict[str, int], *, minimum: int = 0) -> dict[str, int]:
    """``key=number`` pairs, comma-separated, over ``default``: only its keys are
    accepted, so a misspelt key is an error rather than a silently unused limit."""
    raw = os.environ.get(name)
    result = dict(default)
    if raw is None or raw.strip() == "":
        return result
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or key not in default:
            raise ImproperlyConfigured(
                f"{name}: expected key=number with a key among {', '.join(default)}, not {item!r}."
            )
        if not value.isdigit() or int(value) < minimum:
            raise ImproperlyConfigured(f"{name}: {key} must be a whole number >= {minimum}.")
        result[key] = int(value)
    return result


def env_pairs(name: str, values: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """``key=value`` pairs, comma-separated, each value among ``values``; a key
    may be given more than once (it then carries each value given). Unset is
    an empty map. A pair without ``=``, an empty key or a value not among
    ``values`` is an error: a misspelt role must not silently give nothing."""
    raw = os.environ.get(name)
    result: dict[str, set[str]] = {}
    if raw is None or raw.strip() == "":
        return {}
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        key, sep, value = (s.strip() for s in item.rpartition("="))
        if not sep or not key:
            raise ImproperlyConfigured(f"{name}: expected key=value pairs, not {item!r}.")
        if value not in values:
            raise ImproperlyConfigured(
                f"{name}: {value!r} (for {key!r}) must be one of {', '.join(values)}."
            )
        result.setdefault(key, set()).add(value)
    return {key: frozenset(found) for key, found in result.items()}


def env_url(name: str, *, https_only: bool) -> str:
    """An absolute ``https://`` URL (``http://`` too unless ``https_only``), or
    empty when unset: a bare host or a relative path would fail only at the
    first sign-in."""
    value = os.environ.get(name, "").strip()
    schemes = ("https",) if https_only else ("https", "http")
    if value and not re.fullmatch(rf"({'|'.join(schemes)})://[^\s/?#]+(/\S*)?", value):
        raise ImproperlyConfigured(
            f"{name} must be an absolute {' or '.join(schemes)} URL, not {value!r}."
        )
    return value


def env_secret(name: str) -> str:
    """A secret given either as ``name`` itself or as the path of a file in
    ``name``_FILE (a mounted secret), read and stripped; empty when neither is
    set. Both set is an error: which one wins would be a guess."""
    direct = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if direct and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if not path:
        return direct
    try:
        with open(path, encoding="utf-8") as secret:
            return secret.read().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}_FILE: cannot read {path!r} ({exc.strerror}).") from exc


def env_origins(name: str, default: list[str]) -> list[str]:
    """Comma-separated origins, each ``http(s)://host[:port]`` and nothing more:
    a bare host or a path is refused rather than silently never matching."""
    origins = env_list(name, default)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ImproperlyConfigured(
                f"{name}: each origin must look like https://host or https://host:port, "
                f"not {origin!r}."
            )
    return origins


def env_header(name: str) -> str | None:
    """An HTTP header name (such as ``X-Forwarded-Proto``) as Django's ``META`` key
    (``HTTP_X_FORWARDED_PROTO``), or None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not _HEADER.fullmatch(raw):
        raise ImproperlyConfigured(
            f"{name} must be a header name such as X-Forwarded-Proto, not {raw!r}."
        )
    return "HTTP_" + raw.upper().replace("-", "_")


_ORIGIN = re.compile(r"https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?")
_HEADER = re.compile(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*")


# Server-side encryption of case documents in S3: none, S3-managed keys, or KMS.
_S3_ENCRYPTION = ("none", "AES256", "aws:kms")


def env_document_storage(var_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``STORAGES["case_documents"]`` entry (ADR 0024), from
    ``FTP_DOCUMENT_STORAGE``: ``filesystem`` (the default) keeps case
    documents in a private folder under the var directory, which nothing
    serves (``base_url`` None; the application streams each file after
    checking who asks); ``s3`` keeps them in an S3-compatible bucket through
    django-storages, private, optionally encrypted at rest.

    Both forms are read here so the settings and a test that builds the
    storage from the environment read the same variables."""
    kind = env_choice("FTP_DOCUMENT_STORAGE", "filesystem", ("filesystem", "s3"))
    if kind == "filesystem":
        location = env_str("FTP_DOCUMENT_DIR", os.path.join(os.fspath(var_dir), "documents"))
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": location,
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options()}


def _s3_options() -> dict[str, object]:
    encryption = env_choice("FTP_DOCUMENT_S3_ENCRYPTION", "AES256", _S3_ENCRYPTION)
    parameters: dict[str, str] = {}
    if encryption != "none":
        parameters["ServerSideEncryption"] = encryption
    if encryption == "aws:kms" and os.environ.get("FTP_DOCUMENT_S3_KMS_KEY_ID"):
        parameters["SSEKMSKeyId"] = env_str("FTP_DOCUMENT_S3_KMS_KEY_ID")
    return {
        "bucket_name": env_str("FTP_DOCUMENT_S3_BUCKET"),
        "endpoint_url": env_url("FTP_DOCUMENT_S3_ENDPOINT_URL", https_only=False) or None,
        "region_name": os.environ.get("FTP_DOCUMENT_S3_REGION") or None,
        "access_key": env_secret("FTP_DOCUMENT_S3_ACCESS_KEY_ID") or None,
        "secret_key": env_secret("FTP_DOCUMENT_S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("FTP_DOCUMENT_S3_PREFIX", "case-documents").strip("/"),
        "default_acl": "private",
        # Never handed out: the application streams each file itself.
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": parameters,
        # Path-style (http://host/bucket/key) for S3-compatible stores that need it.
        "addressing_style": _addressing_style(),
    }


def _addressing_style() -> str | None:
    style = env_choice("FTP_DOCUMENT_S3_ADDRESSING_STYLE", "auto", ("auto", "path", "virtual"))
    return None if style == "auto" else style
