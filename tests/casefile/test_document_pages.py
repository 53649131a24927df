"""The documents page and downloads: HR uploads through the page (a program
named .pdf is a 400 saying what it is, nothing stored); each reader sees only
the titles their audience allows; a download is an attachment, never sniffed
or cached, recorded before it is sent; anyone who may not read a document
gets a 404 as if it did not exist. The upload route alone takes bodies up to
the document limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from casefile.models import Document
from casefile.services import DocumentEvent

from .documents import EXE, HR_MARKER, PDF, add, documents_dir

pytestmark = pytest.mark.django_db
__all__ = ["documents_dir"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list_url(case) -> str:
    return reverse("cases:case_documents", args=[case.pk])


def _download_url(document, number: int = 1) -> str:
    return reverse("cases:document_download", args=[document.case_id, document.pk, number])


def _upload(name: str, data: bytes, **fields: str) -> dict[str, Any]:
    form = {"title": "Statement of the ward manager", "kind": "statement", "audience": "hr"}
    form.update(fields)
    return {**form, "file": SimpleUploadedFile(name, data, content_type="application/pdf")}


def test_hr_uploads_through_the_page(story):
    case = story.informal()
    response = _client(story.cast.hr).post(_list_url(case), _upload("statement.pdf", PDF))
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert (document.title, document.audience) == ("Statement of the ward manager", "hr")
    page = _client(story.cast.hr).get(_list_url(case)).content.decode()
    assert "Statement of the ward manager" in page
    assert 'data-testid="document-form"' in page


def test_a_program_named_pdf_is_a_400_saying_what_it_is(story, documents_dir):
    case = story.informal()
    response = _client(story.cast.hr).post(
        _list_url(case), _upload("statement.pdf", EXE, title="Kept title")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The file is a Windows program" in body
    assert 'value="Kept title"' in body  # what was typed comes back
    assert not Document.objects.exists()
    assert not documents_dir.exists() or not any(p.is_file() for p in documents_dir.rglob("*"))


def test_who_may_not_add_is_refused(story):
    case = story.informal()
    response = _client(story.cast.manager).post(_list_url(case), _upload("s.pdf", PDF))
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_each_reader_sees_only_the_titles_their_audience_allows(story):
    cast = story.cast
    case = story.just_convened()  # members yet to declare
    add(story, case, "hr", HR_MARKER)
    add(story, case, "case", "Timeline for everyone")
    detail = reverse("cases:detail", args=[case.pk])
    for url in (_list_url(case), detail):
        assert HR_MARKER in _client(cast.hr).get(url).content.decode()
        manager = _client(cast.manager).get(url).content.decode()
        assert "Timeline for everyone" in manager
        assert HR_MARKER not in manager
        undeclared = _client(cast.panel_a).get(url)
        assert undeclared.status_code == 200
        assert "Timeline for everyone" not in undeclared.content.decode()
        assert HR_MARKER not in undeclared.content.decode()


def test_a_download_is_a_private_attachment_and_audited(story):
    cast = story.cast
    case = story.informal()
    document = add(story, case, "case")
    response = _client(cast.manager).get(_download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="statement.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action=DocumentEvent.DOWNLOADED)
    assert (event.actor, event.payload["version"]) == (cast.manager, 1)


def test_a_preview_is_shown_inline_sandboxed_and_audited_as_viewed(story):
    case = story.informal()
    document = add(story, case, "hr")
    response = _client(story.cast.hr).get(_download_url(document) + "?preview=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert AuditEvent.objects.filter(action=DocumentEvent.VIEWED).count() == 1


def test_anyone_who_may_not_read_a_document_gets_a_404(story):
    cast = story.cast
    case = story.just_convened()
    hr_only = add(story, case, "hr", HR_MARKER)
    everyone = add(story, case, "case")
    assert _client(cast.manager).get(_download_url(hr_only)).status_code == 404
    assert _client(cast.panel_a).get(_download_url(everyone)).status_code == 404  # undeclared
    assert _client(cast.outsider).get(_download_url(everyone)).status_code == 404
    # No such version, no such document: the same answer.
    assert _client(cast.hr).get(_download_url(everyone, 2)).status_code == 404
    missing = reverse("cases:document_download", args=[case.pk, 987_654, 1])
    assert _client(cast.hr).get(missing).status_code == 404
    assert not AuditEvent.objects.filter(action=DocumentEvent.DOWNLOADED).exists()


def test_a_new_version_through_the_page_keeps_the_old_one(story):
    case = story.informal()
    document = add(story, case, "hr")
    client = _client(story.cast.hr)
    new = SimpleUploadedFile("v2.pdf", PDF.replace(b"Catalog", b"Catalog "))
    response = client.post(
        _list_url(case),
        {
            "document": document.pk,
            f"v{document.pk}-note": "Signed copy.",
            f"v{document.pk}-file": new,
        },
    )
    assert response.status_code == 302
    assert client.get(_download_url(document, 1)).status_code == 200
    assert client.get(_download_url(document, 2)).status_code == 200
    page = client.get(_list_url(case)).content.decode()
    assert "(superseded)" in page
    assert "Signed copy." in page


def test_the_upload_route_alone_takes_a_large_body(story, settings):
    settings.FTP_REQUEST_BODY_MAX_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    settings.FTP_DOCUMENT_MAX_MB = 3
    case = story.informal()
    client = _client(story.cast.hr)
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024) + b"\n%%EOF\n"
    assert client.post(_list_url(case), _upload("big.pdf", big)).status_code == 302
    # Any other route keeps the site's limit.
    notes = reverse("cases:notes", args=[case.pk])
    assert client.post(notes, {"text": "x" * (2 * 1024 * 1024)}).status_code == 413
    # And the upload route refuses more than the document limit, before reading it.
    huge = b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024) + b"\n%%EOF\n"
    response = client.post(_list_url(case), _upload("huge.pdf", huge))
    assert response.status_code == 413
    assert Document.objects.count() == 1
