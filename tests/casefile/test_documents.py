"""Case documents: HR and the case's owner upload documents, checked by their
bytes and stored under opaque keys; each reader lists only the documents
their audience allows (a member yet to declare, none); a new version
supersedes and the old one stays downloadable; every download is audited
naming the version; the database refuses to change or remove a version until
the case file is destroyed, which removes the rows and the stored files."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent, EventType
from casefile.models import Document, DocumentVersion, case_documents_storage
from casefile.selectors import documents_for, documents_page
from casefile.services import (
    DocumentEvent,
    document_add,
    document_open,
    document_version_add,
)
from core.errors import NotAllowed, NotFound, ValidationFailed
from panels.services import panel_declare
from records.retention import case_destroy
from tenancy.context import trust_entered

from ..records.world import LATER, at
from .documents import EXE, HR_MARKER, PDF, PDF_V2, add, documents_dir

pytestmark = pytest.mark.django_db
__all__ = ["documents_dir"]


def _titles(user, case) -> set[str]:
    return {d.title for d in documents_for(user, case)}


def _three(story, case):
    return (
        add(story, case, "hr", HR_MARKER),
        add(story, case, "panel", "Rota for the panel"),
        add(story, case, "case", "Timeline for everyone"),
    )


def test_an_upload_is_stored_under_an_opaque_key_and_audited_without_its_title(story):
    case = story.informal()
    document = add(story, case, "hr", "Statement of Jo Bloggs")
    version = document.versions.get()
    assert (version.number, version.content_type, version.name) == (
        1,
        "application/pdf",
        "statement.pdf",
    )
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    # The key names the trust and a random id: never the uploaded name or title.
    key = version.file.name
    assert key.startswith(f"trust-{case.trust_id}/")
    assert "statement" not in key
    with case_documents_storage().open(key) as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action=DocumentEvent.UPLOADED)
    assert (event.case_id, event.actor_id) == (case.pk, story.cast.hr.pk)
    assert event.payload["document"] == document.pk
    assert event.payload["version"] == 1
    assert "Bloggs" not in json.dumps(event.payload) + event.reason


def test_a_program_with_a_pdf_name_is_refused_saying_what_it_is(story, documents_dir):
    case = story.informal()
    with pytest.raises(ValidationFailed) as refused:
        document_add(
            case_id=case.pk,
            actor=story.cast.hr,
            title="Statement",
            kind="statement",
            audience="hr",
            name="statement.pdf",
            data=EXE,
        )
    assert "a Windows program" in refused.value.errors["file"][0]
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action=DocumentEvent.UPLOADED).exists()
    assert not documents_dir.exists() or not any(documents_dir.rglob("*.*"))


def test_a_document_over_the_limit_is_refused(story, settings):
    settings.FTP_DOCUMENT_MAX_MB = 1
    case = story.informal()
    big = b"a" * (1024 * 1024 + 1)
    with pytest.raises(ValidationFailed) as refused:
        add(story, case, "hr", data=big)
    assert "the largest allowed is 1.0 MB" in refused.value.errors["file"][0]


def test_only_hr_on_the_case_or_its_owner_may_add(story, extras):
    cast = story.cast
    case = story.informal()
    for person in (cast.manager, cast.director, cast.panel_a):
        with pytest.raises((NotAllowed, NotFound)):
            document_add(
                case_id=case.pk,
                actor=person,
                title="x",
                kind="other",
                audience="case",
                name="x.pdf",
                data=PDF,
            )
    # An HR adviser who referred the case is its manager there.
    own = story.informal(manager=extras.manager_hr)
    with pytest.raises(NotAllowed):
        add_as(extras.manager_hr, own)
    if hasattr(case, "owner_id"):  # the named owner (docs/case-owners.md) may add
        owner = extras.manager_hr
        type(case).objects.filter(pk=case.pk).update(owner=owner)
        assert add_as(owner, case).created_by == owner


def add_as(actor, case):
    return document_add(
        case_id=case.pk,
        actor=actor,
        title="By someone",
        kind="other",
        audience="case",
        name="x.pdf",
        data=PDF,
    )


def test_each_reader_lists_only_what_their_audience_allows(story):
    cast = story.cast
    case = story.just_convened()  # panel_a, b and c yet to declare
    _three(story, case)
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    assert _titles(cast.hr, case) == {HR_MARKER, "Rota for the panel", "Timeline for everyone"}
    # The referring manager: documents for everyone on the case, no HR-only ones.
    assert _titles(cast.manager, case) == {"Timeline for everyone"}
    # A member cleared of conflicts, and the decision-maker who may sign off.
    assert _titles(cast.panel_b, case) == {"Rota for the panel", "Timeline for everyone"}
    assert _titles(cast.director, case) == {"Rota for the panel", "Timeline for everyone"}
    # A member yet to declare lists nothing, not even a title; nor does anyone off the case.
    for person in (cast.panel_a, cast.other_manager, cast.governance, cast.outsider):
        assert _titles(person, case) == set()


def test_a_member_who_has_not_declared_can_download_nothing(story):
    cast = story.cast
    case = story.just_convened()
    for document in _three(story, case):
        with pytest.raises(NotFound):
            document_open(actor=cast.panel_a, case_id=case.pk, document_id=document.pk, number=1)
    assert not AuditEvent.objects.filter(action=DocumentEvent.DOWNLOADED).exists()


def test_a_manager_cannot_open_an_hr_only_document(story):
    cast = story.cast
    case = story.informal()
    hr_only, _, everyone = _three(story, case)
    with pytest.raises(NotFound):
        document_open(actor=cast.manager, case_id=case.pk, document_id=hr_only.pk, number=1)
    opened = document_open(actor=cast.manager, case_id=case.pk, document_id=everyone.pk, number=1)
    assert opened.document == everyone


def test_every_download_and_preview_is_audited_naming_the_version(story):
    cast = story.cast
    case = story.informal()
    document = add(story, case, "case")
    for _ in range(2):
        document_open(actor=cast.manager, case_id=case.pk, document_id=document.pk, number=1)
    document_open(actor=cast.hr, case_id=case.pk, document_id=document.pk, number=1, preview=True)
    version = document.versions.get()
    downloads = AuditEvent.objects.filter(action=DocumentEvent.DOWNLOADED, case=case)
    assert downloads.count() == 2
    for event in downloads:
        assert event.actor == cast.manager
        assert (event.payload["version_id"], event.payload["version"]) == (version.pk, 1)
    viewed = AuditEvent.objects.get(action=DocumentEvent.VIEWED)
    assert (viewed.actor, viewed.payload["version_id"]) == (cast.hr, version.pk)
    # These are bookkeeping, not steps on the case's path.
    assert not AuditEvent.objects.path().filter(action__startswith="document_").exists()


def test_a_new_version_supersedes_and_the_old_stays_retrievable_by_hr(story):
    cast = story.cast
    case = story.informal()
    document = add(story, case, "hr")
    second = document_version_add(
        document_id=document.pk, actor=cast.hr, name="v2.pdf", data=PDF_V2, note="Signed copy."
    )
    assert (second.number, second.note) == (2, "Signed copy.")
    listed = documents_for(cast.hr, case).get()
    assert listed.latest == 2  # type: ignore[attr-defined]
    assert [v.number for v in listed.recent] == [2, 1]  # type: ignore[attr-defined]
    first = document_open(actor=cast.hr, case_id=case.pk, document_id=document.pk, number=1)
    with first.file.open("rb") as stored:
        assert stored.read() == PDF
    assert first.file.name != second.file.name
    event = AuditEvent.objects.get(action=DocumentEvent.VERSION_UPLOADED)
    assert event.payload["version"] == 2
    with pytest.raises(NotFound):
        document_open(actor=cast.hr, case_id=case.pk, document_id=document.pk, number=3)


def test_a_new_version_is_checked_and_needs_a_readable_document(story):
    cast = story.cast
    case = story.informal()
    document = add(story, case, "hr")
    with pytest.raises(ValidationFailed) as refused:
        document_version_add(
            document_id=document.pk, actor=cast.hr, name="v2.pdf", data=EXE, note="x"
        )
    assert "a Windows program" in refused.value.errors["file"][0]
    with pytest.raises(NotFound):  # the manager may not see it: not even that it exists
        document_version_add(
            document_id=document.pk, actor=cast.manager, name="v2.pdf", data=PDF, note="x"
        )
    assert document.versions.count() == 1


def test_an_audience_the_uploader_cannot_read_is_refused(story, extras):
    case = story.informal()
    with pytest.raises(ValidationFailed) as refused:
        document_add(
            case_id=case.pk,
            actor=story.cast.hr,
            title="x",
            kind="nonsense",
            audience="everyone",
            name="x.pdf",
            data=PDF,
        )
    assert set(refused.value.errors) == {"kind", "audience"}


def test_the_database_refuses_to_change_or_remove_a_version(story):
    case = story.informal()
    document = add(story, case, "hr")
    version = document.versions.get()
    for statement in (
        "UPDATE casefile_documentversion SET sha256 = 'x' WHERE id = %s",
        "DELETE FROM casefile_documentversion WHERE id = %s",
        "UPDATE casefile_document SET audience = 'case' WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="kept as uploaded"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [version.pk if "version" in statement else document.pk])
    assert DocumentVersion.objects.get(pk=version.pk).sha256 == hashlib.sha256(PDF).hexdigest()
    with pytest.raises(ValueError, match="never changed"):
        version.save()
    with pytest.raises(ValueError, match="whole case file"):
        version.delete()


def test_destroying_the_case_file_removes_its_documents_and_files(
    story, django_capture_on_commit_callbacks
):
    with at(2024, 5, 2):
        case = story.closed()
        document = add(story, case, "hr")
        document_version_add(
            document_id=document.pk, actor=story.cast.hr, name="b.pdf", data=PDF_V2, note="x"
        )
    keys = list(DocumentVersion.objects.values_list("file", flat=True))
    kept = story.informal()
    add(story, kept, "case")
    with (
        at(LATER.year, LATER.month, LATER.day),
        django_capture_on_commit_callbacks(execute=True),
    ):
        case_destroy(
            case_id=case.pk, actor=story.cast.hr, reference=case.reference, reason="Schedule."
        )
    assert not Document.objects.filter(case=case).exists()
    assert not DocumentVersion.objects.filter(document__case=case).exists()
    storage = case_documents_storage()
    assert not any(storage.exists(key) for key in keys)
    assert Document.objects.filter(case=kept).count() == 1
    event = AuditEvent.objects.get(action=EventType.CASE_DESTROYED)
    assert event.payload["removed"]["case_document_versions"] == 2


def test_documents_page_newest_first_by_keyset(story):
    case = story.informal()
    made = [add(story, case, "case", f"Doc {i}") for i in range(5)]
    first = documents_page(story.cast.hr, case, cursor=None, size=2)
    assert [d.pk for d in first.rows] == [made[4].pk, made[3].pk]
    assert first.older is not None
    assert first.newer is None


def test_another_trusts_documents_are_out_of_reach(story, other_trust):
    case = story.informal()
    document = add(story, case, "case")
    with trust_entered(other_trust):
        assert not Document.objects.exists()
        assert not DocumentVersion.objects.exists()
        with pytest.raises(NotFound):
            document_open(actor=story.cast.hr, case_id=case.pk, document_id=document.pk, number=1)
