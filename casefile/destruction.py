"""Removing a destroyed case's documents: for ``records.retention`` alone.

Documents and their versions are kept as uploaded; the database refuses to
delete them unless their case has been destroyed (migration 0001), so this
runs inside the destruction's transaction, after ``destroyed_at`` is set.
The rows go in that transaction; the stored files go only once it commits,
so a destruction that rolls back loses no file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from .models import Document, DocumentVersion, case_documents_storage

if TYPE_CHECKING:
    from workflow.models import Case


def case_documents_remove(case: Case) -> int:
    """Delete the case's documents and versions; their files after commit.
    The number of versions (stored files) removed."""
    versions = DocumentVersion.objects.filter(document__case=case)
    keys = [str(key) for key in versions.values_list("file", flat=True)]
    count: int = versions.delete()[0]
    Document.objects.filter(case=case).delete()
    transaction.on_commit(lambda: _files_delete(keys))
    return count


def _files_delete(keys: list[str]) -> None:
    storage = case_documents_storage()
    for key in keys:
        storage.delete(key)
