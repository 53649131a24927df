"""Assurance's evidence documents: the content check is ``core.documents``
(tests/core/test_documents.py); assurance keeps its own limit, under the
request body limit with room for the form, since its bytes live in the
database (ADR 0021)."""

from __future__ import annotations

import pytest

from assurance.documents import DocumentRefused, document_check, max_bytes

PDF_BYTES = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_document_over_the_limit_is_refused(settings):
    limit = max_bytes()
    assert limit < settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # room for the rest of the form
    document_check(name="big.txt", data=b"a" * limit)
    with pytest.raises(DocumentRefused, match=r"the largest allowed.*Link to larger evidence"):
        document_check(name="big.txt", data=b"a" * (limit + 1))


def test_assurance_refuses_what_the_shared_check_refuses():
    with pytest.raises(DocumentRefused, match="a Windows program"):
        document_check(name="evidence.pdf", data=b"MZ\x90\x00" + bytes(64))
    assert document_check(name="minutes.exe", data=PDF_BYTES).name == "minutes.pdf"
