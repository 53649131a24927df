"""Case documents: writes, and the reads that must be recorded (ADR 0024).

Who may add a document or a new version: an HR adviser acting on a case they
did not refer (``workflow.rules.hr_adviser``) and the case's named owner,
into an audience they can read themselves (``workflow.access.FileVisible``),
so a document is never added that its uploader could not open again.

Every upload is checked by its bytes (``core.documents``: a "statement.pdf"
that is a program is refused saying so), stored under an opaque key on the
``case_documents`` storage, and audited. Nothing edits or removes a version:
there is no service for it and the database refuses it (migration 0001);
only the retention schedule's destruction of the case removes them
(``records.retention``). Every download and preview writes an event naming
the version (``document_open``). Listing the titles is not recorded: a list
shows what the case page shows, and the titles are read under the same rule
as the files.

The audit log is read by HR and decision-makers and exported, so an event
holds the document's id, version, kind, audience, size and SHA-256, never
its title or file name: an export cannot leak what a document is about.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.types import Actor
from audit.services import audit_record
from core.documents import CheckedDocument, DocumentRefused, document_check
from core.errors import NotAllowed, NotFound, ValidationFailed
from workflow.access import DetailsVisible, FileAudience, FileVisible
from workflow.models import Case
from workflow.rules import hr_adviser

from .models import NOTE_MAX, TITLE_MAX, Document, DocumentKind, DocumentVersion

__all__ = [
    "DOCUMENT_EVENTS",
    "PREVIEWABLE",
    "DocumentEvent",
    "document_add",
    "document_open",
    "document_version_add",
    "max_document_bytes",
    "may_add_documents",
]


class DocumentEvent:
    UPLOADED = "document_uploaded"
    VERSION_UPLOADED = "document_version_uploaded"
    DOWNLOADED = "document_downloaded"
    VIEWED = "document_viewed"


# Registered with the audit log in ``CasefileConfig.ready``.
DOCUMENT_EVENTS = (
    (DocumentEvent.UPLOADED, "Case document uploaded"),
    (DocumentEvent.VERSION_UPLOADED, "New version of a case document uploaded"),
    (DocumentEvent.DOWNLOADED, "Case document downloaded"),
    (DocumentEvent.VIEWED, "Case document previewed"),
)

REFUSAL = "Only an HR adviser on the case, or its owner, may add documents."
# The types a browser may show rather than save (``document_open(preview=True)``).
PREVIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})


def max_document_bytes() -> int:
    """The largest case document (``FTP_DOCUMENT_MAX_MB``)."""
    return int(settings.FTP_DOCUMENT_MAX_MB) * 1024 * 1024


def may_add_documents(user: Any, case: Case) -> bool:
    """An HR adviser acting on a case they did not refer, or the case's owner
    (``Case.owner`` read with ``getattr``: a case without owners has none)."""
    if not user.is_authenticated or not DetailsVisible.allows(user, case):
        return False
    return hr_adviser(user, case) or getattr(case, "owner_id", None) == user.pk


def document_add(
    *,
    case_id: int,
    actor: Actor,
    title: str,
    kind: str,
    audience: str,
    name: str,
    data: bytes,
    audit_reason: str = "",
) -> Document:
    """A new document on the case, with its first version. Refused uploads
    are a ``ValidationFailed`` naming the field (``file`` for the content)."""
    with transaction.atomic():
        case = _case_for_adding(case_id, actor)
        errors = _document_errors(case, actor, title=title, kind=kind, audience=audience)
        checked = _checked(name, data, errors)
        if errors or checked is None:
            raise ValidationFailed(errors)
        document = Document(
            case=case,
            title=title.strip(),
            kind=kind,
            audience=audience,
            created_by=actor,
            created_at=timezone.now(),
        )
        document.save(force_insert=True)
        version = _store(document, actor, checked, note="", number=1)
        audit_record(
            case=case,
            actor=actor,
            action=DocumentEvent.UPLOADED,
            reason=audit_reason,
            payload=_payload(document, version),
        )
    return document


def document_version_add(
    *, document_id: int, actor: Actor, name: str, data: bytes, note: str
) -> DocumentVersion:
    """A new version of the document, superseding the last (which stays).
    ``note`` says why it was replaced."""
    with transaction.atomic():
        document = _document_for_adding(document_id, actor)
        errors: dict[str, list[str]] = {}
        note = note.strip()
        if len(note) > NOTE_MAX:
            errors["note"] = [f"Keep the note to {NOTE_MAX} characters."]
        checked = _checked(name, data, errors)
        if errors or checked is None:
            raise ValidationFailed(errors)
        number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = _store(document, actor, checked, note=note, number=number)
        audit_record(
            case=document.case,
            actor=actor,
            action=DocumentEvent.VERSION_UPLOADED,
            payload=_payload(document, version),
        )
    return version


def document_open(
    *, actor: Actor, case_id: int, document_id: int, number: int, preview: bool = False
) -> DocumentVersion:
    """One version of a document ``actor`` may read, recorded as downloaded
    (or previewed, when asked and its type is ``PREVIEWABLE``) before its
    bytes are handed out; ``NotFound`` otherwise, whether it does not exist
    or may not be seen (we do not say which)."""
    with transaction.atomic():
        version = (
            DocumentVersion.objects.select_related("document__case")
            .filter(
                FileVisible.q(
                    actor, prefix="document__case__", audience_field="document__audience"
                ),
                document__case_id=case_id,
                document_id=document_id,
                number=number,
            )
            .first()
        )
        if version is None or not FileVisible.allows(
            actor, version.document.case, version.document.audience
        ):
            raise NotFound("No such document, or you may not see it.")
        document = version.document
        shown = preview and version.content_type in PREVIEWABLE
        action = DocumentEvent.VIEWED if shown else DocumentEvent.DOWNLOADED
        audit_record(
            case=document.case, actor=actor, action=action, payload=_payload(document, version)
        )
    return version


# --- helpers -------------------------------------------------------------------------


def _case_for_adding(case_id: int, actor: Actor) -> Case:
    case = Case.objects.filter(pk=case_id).select_related("referring_manager").first()
    if case is None or not DetailsVisible.allows(actor, case):
        raise NotFound("No such case, or you may not see it.")
    if not may_add_documents(actor, case):
        raise NotAllowed(REFUSAL)
    return case


def _document_for_adding(document_id: int, actor: Actor) -> Document:
    # Locked, so two new versions at once number one after the other.
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=document_id)
        .first()
    )
    if document is None or not FileVisible.allows(actor, document.case, document.audience):
        raise NotFound("No such document, or you may not see it.")
    if not may_add_documents(actor, document.case):
        raise NotAllowed(REFUSAL)
    return document


def _document_errors(
    case: Case, actor: Actor, *, title: str, kind: str, audience: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give the document a title."]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [f"Keep the title to {TITLE_MAX} characters."]
    elif "\x00" in title:
        errors["title"] = ["The title cannot hold control characters."]
    if kind not in DocumentKind.values:
        errors["kind"] = ["Choose what kind of document this is."]
    if audience not in FileAudience.values:
        errors["audience"] = ["Choose who may read the document."]
    elif not FileVisible.allows(actor, case, audience):
        errors["audience"] = ["Choose an audience you belong to, so you can open it again."]
    return errors


def _checked(name: str, data: bytes, errors: dict[str, list[str]]) -> CheckedDocument | None:
    try:
        return document_check(name=name, data=data, max_bytes=max_document_bytes())
    except DocumentRefused as exc:
        errors["file"] = [str(exc)]
        return None


def _store(
    document: Document, actor: Actor, checked: CheckedDocument, *, note: str, number: int
) -> DocumentVersion:
    """Write the bytes under an opaque key, then the row; if the row fails,
    the stored object is removed again. (Django has no on-rollback hook: a
    caller whose own transaction rolls back later leaves an object no row
    names, under a random key; docs/case-file.md.)"""
    version = DocumentVersion(
        trust_id=document.trust_id,
        document=document,
        number=number,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        note=note,
    )
    version.file.save(checked.name, ContentFile(checked.data), save=False)
    key = str(version.file.name)
    try:
        version.save(force_insert=True)
    except Exception:
        version.file.storage.delete(key)
        raise
    return version


def _payload(document: Document, version: DocumentVersion) -> dict[str, Any]:
    return {
        "document": document.pk,
        "version": version.number,
        "version_id": version.pk,
        "kind": document.kind,
        "audience": document.audience,
        "content_type": version.content_type,
        "size": version.size,
        "sha256": version.sha256,
    }
