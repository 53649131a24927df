"""Case documents in S3-compatible object storage, for real: moto's standalone
S3 server on loopback (a separate process speaking the S3 protocol over
HTTP, as production's object store does), a private bucket, and the
``case_documents`` storage built from the environment by the same function
the settings use (``config.env.env_document_storage``, FTP_DOCUMENT_STORAGE=s3).

A document uploaded through the service lands in the bucket under an opaque
key (never its name or title), encrypted at rest, readable by nobody without
the keys; it comes back byte for byte through the web download route, which
streams it from the bucket. If the server cannot be started the test fails:
it is never skipped (CI sets CI=true and must run it).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from casefile.models import DocumentVersion
from config.env import env_document_storage

from ..processes import free_port, stop_group
from .documents import PDF, add

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "ftp-case-documents"
REGION = "eu-west-2"
KEYS = {"FTP_DOCUMENT_S3_ACCESS_KEY_ID": "test-key", "FTP_DOCUMENT_S3_SECRET_ACCESS_KEY": "test"}


def _moto_server() -> str:
    found = ROOT / ".venv" / "bin" / "moto_server"
    return str(found) if found.exists() else (shutil.which("moto_server") or str(found))


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"moto's S3 server stopped:\n{log.read_text()}", pytrace=False)
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"moto's S3 server did not answer in 30 s:\n{log.read_text()}", pytrace=False)


@pytest.fixture(scope="module")
def s3_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server on a free loopback port, for this module."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("w") as out:
        try:
            proc = subprocess.Popen(  # noqa: S603 (moto's own server script)
                [_moto_server(), "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            pytest.fail(f"moto's S3 server could not be started: {exc}", pytrace=False)
        try:
            _wait_until_answering(url, proc, log)
            yield url
        finally:
            stop_group(proc, timeout=10)


@pytest.fixture
def bucket(s3_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh private bucket, and the case documents storage pointed at it
    exactly as production's environment would configure it."""
    env = {
        "FTP_DOCUMENT_STORAGE": "s3",
        "FTP_DOCUMENT_S3_BUCKET": BUCKET,
        "FTP_DOCUMENT_S3_ENDPOINT_URL": s3_url,
        "FTP_DOCUMENT_S3_REGION": REGION,
        "FTP_DOCUMENT_S3_ADDRESSING_STYLE": "path",
        **KEYS,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_url,
        region_name=REGION,
        aws_access_key_id=KEYS["FTP_DOCUMENT_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["FTP_DOCUMENT_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    stores = dict(django_settings.STORAGES)
    stores["case_documents"] = env_document_storage(django_settings.VAR_DIR)
    settings.STORAGES = stores
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_a_document_goes_to_the_bucket_under_an_opaque_key_and_comes_back_whole(story, bucket):
    cast = story.cast
    case = story.informal()
    assert django_settings.STORAGES["case_documents"]["BACKEND"] == (
        "storages.backends.s3.S3Storage"
    )
    document = add(story, case, "case", "Statement of Jo Bloggs")
    version = DocumentVersion.objects.get(document=document)
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"case-documents/{version.file.name}"]
    key = keys[0]
    # Opaque: the trust and a random id, never the file's name or the title.
    assert key.startswith(f"case-documents/trust-{case.trust_id}/")
    assert "statement" not in key.lower()
    assert "bloggs" not in key.lower()
    stored = bucket.get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == PDF
    assert stored["ServerSideEncryption"] == "AES256"
    # Private: no grant to everyone (the ACL production's S3 enforces).
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert grants
    assert not [g for g in grants if "AllUsers" in str(g["Grantee"].get("URI", ""))]

    client = Client()
    client.force_login(cast.manager)
    url = reverse("cases:document_download", args=[case.pk, document.pk, 1])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment;")
