"""Shared by the case document tests: files to upload, and a private folder
for the ``case_documents`` storage per test (never the project's var/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from casefile.services import document_add

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_V2 = b"%PDF-1.4\n1 0 obj <</Type /Catalog /V 2>> endobj\ntrailer <<>>\n%%EOF\n"
# A Windows executable's first bytes: "MZ", then the DOS header.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))
# In the title of an HR-only document: must never reach anyone else's page.
HR_MARKER = "Qdx7 HR only statement"


def storage_at(location: Path) -> dict[str, Any]:
    stores: dict[str, Any] = dict(django_settings.STORAGES)
    stores["case_documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": None},
    }
    return stores


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test's documents in its own folder (the storage is looked up when used)."""
    location = tmp_path / "documents"
    settings.STORAGES = storage_at(location)
    return location


def add(story: Any, case: Any, audience: str, title: str = "", data: bytes = PDF) -> Any:
    return document_add(
        case_id=case.pk,
        actor=story.cast.hr,
        title=title or f"A {audience} document",
        kind="statement",
        audience=audience,
        name="statement.pdf",
        data=data,
    )
