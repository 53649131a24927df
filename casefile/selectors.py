"""Case documents: reads. Every read goes through ``workflow.access.FileVisible``:
a document (its title included) is listed only to those its audience names,
and nothing of a case's documents to anyone who may not see its details (a
panel member yet to declare "no conflict" sees none, not even a title).

Reading a document's bytes is ``casefile.services.document_open``, which
records the download or preview first.
"""

from __future__ import annotations

from django.db.models import Max, Prefetch, QuerySet

from accounts.types import Viewer
from core.paging import Cursor, KeysetPage, keyset_page
from workflow.access import FileVisible
from workflow.models import Case

from .models import Document, DocumentVersion

DOCUMENT_ORDER = ("-created_at", "-id")
PAGE_SIZE = 20
# The versions listed under each document, newest first; older ones are
# counted ("and 3 earlier versions") and stay downloadable by their number.
VERSIONS_SHOWN = 5


def documents_for(user: Viewer, case: Case) -> QuerySet[Document]:
    """The case's documents ``user`` may read, newest first, each with its
    latest number (``latest``) and its newest versions (page them:
    ``documents_page``)."""
    newest = DocumentVersion.objects.select_related("uploaded_by").order_by("-number")
    return (
        Document.objects.filter(case=case)
        .filter(FileVisible.q(user))
        .select_related("created_by")
        .annotate(latest=Max("versions__number"))
        .prefetch_related(Prefetch("versions", queryset=newest[:VERSIONS_SHOWN], to_attr="recent"))
        .order_by(*DOCUMENT_ORDER)
    )


def documents_page(
    user: Viewer, case: Case, *, cursor: Cursor | None, size: int = PAGE_SIZE
) -> KeysetPage[Document]:
    """One page of ``documents_for`` (keyset paging: the same cost on any page)."""
    return keyset_page(documents_for(user, case), order=DOCUMENT_ORDER, cursor=cursor, size=size)
