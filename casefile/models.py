"""The case file: evidence documents, each a chain of immutable versions,
and case notes (``CaseNote``, at the end: append-only, corrected by new notes).

A document is what the case holds (a statement, a rota, an email bundle):
its title, kind and audience (``workflow.access.FileAudience``: who may
read it). Its content is its versions: each upload is checked by content
(``core.documents``), stored under an opaque key on the ``case_documents``
storage (the filesystem locally, S3-compatible object storage in
production; ADR 0024) and never changed or removed. A new version
supersedes the last; the old ones stay on record. The database refuses to
update or delete a version (or a document) unless its case has been
destroyed under the retention schedule (migration 0001's triggers).
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from tenancy.models import TrustOwned
from workflow.access import FileAudience

TITLE_MAX = 200
NOTE_MAX = 500


class DocumentKind(models.TextChoices):
    STATEMENT = "statement", "Statement"
    TIMELINE = "timeline", "Timeline"
    ROTA = "rota", "Rota"
    EMAIL = "email", "Email"
    EVIDENCE = "evidence", "Other evidence"
    MINUTES = "minutes", "Meeting minutes"
    LETTER = "letter", "Letter"
    OTHER = "other", "Other"


class _CaseDocumentsStorage(LazyObject):  # type: ignore[type-arg]
    """``STORAGES["case_documents"]``, looked up when first used and again
    after the setting changes (a test's override; ``_reset``)."""

    def _setup(self) -> None:
        self._wrapped: Any = storages["case_documents"]


_storage = _CaseDocumentsStorage()


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _storage._wrapped = empty  # looked up again when next used


def case_documents_storage() -> Storage:
    """The storage case documents live on (``STORAGES["case_documents"]``):
    the filesystem locally, S3-compatible object storage in production."""
    return cast(Storage, _storage)


def version_key(instance: DocumentVersion, filename: str) -> str:
    """An opaque key: the trust and a random id, never the uploaded name
    (a name can carry the employee's name or the allegation)."""
    return f"trust-{instance.trust_id}/{uuid.uuid4().hex}"


class Document(TrustOwned):
    """One document in a case's file; its content is its latest version."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=TITLE_MAX)
    kind = models.CharField(max_length=12, choices=DocumentKind.choices)
    audience = models.CharField(max_length=8, choices=FileAudience.choices, default=FileAudience.HR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at", "-id"], name="document_case_list")]

    def __str__(self) -> str:
        return f"Document {self.pk} of case {self.case_id}"


class DocumentVersion(TrustOwned):
    """One upload of a document: checked, stored, never changed."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=case_documents_storage, upload_to=version_key, max_length=200)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    note = models.CharField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of document {self.document_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:  # the trigger refuses it too; say so before the database does
            raise ValueError("A document version is never changed; add a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(
            "A document version is kept until the whole case file is destroyed (records.retention)."
        )


# --- case notes (casefile.notes) ------------------------------------------------------

NOTE_TEXT_MAX = 5000
CORRECTION_REASON_MAX = 500


class CaseNote(TrustOwned):
    """A dated note on a case, by HR or the case's owner: append-only.

    A note is never edited or removed (the model refuses, and so do the
    database's triggers, migration 0002, until the case file is destroyed
    under the retention schedule). A mistake is put right by a *correction*:
    a new note that ``corrects`` the old one and says why (``reason``); both
    are kept, and the old one is shown struck through. A note is corrected
    at most once (a correction may itself be corrected).

    ``written_at`` is the server's time of writing; ``about_date`` is the day
    the note is about when that is another day (a phone call yesterday).
    ``audience`` says who reads it (``workflow.access.FileVisible``); "HR
    only" unless the writer chooses otherwise."""

    case = models.ForeignKey("workflow.Case", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    about_date = models.DateField(null=True, blank=True)
    text = models.TextField()
    audience = models.CharField(max_length=8, choices=FileAudience.choices, default=FileAudience.HR)
    # DO_NOTHING: a note is deleted only with its whole case file, in one
    # statement (records.retention), and the constraint is checked at commit.
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="correction"
    )
    reason = models.CharField(max_length=CORRECTION_REASON_MAX, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["case", "-written_at", "-id"], name="case_note_list")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="case_note_has_text"),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True, reason="")
                | (models.Q(corrects__isnull=False) & ~models.Q(reason="")),
                name="case_note_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:  # the trigger refuses it too; say so before the database does
            raise ValueError("A case note is never changed; add a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A case note is removed only with its whole case file (retention).")
