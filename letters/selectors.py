"""Letters: reads. A case's letters are HR documents: listed only to HR
advisers acting on a case they did not refer (``access.FileVisible`` with
audience "hr", the same rule as the letter's PDF in the case's file)."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from accounts.types import Viewer
from core.paging import Cursor, KeysetPage, keyset_page
from workflow.access import FileAudience, FileVisible
from workflow.models import Case

from .models import Letter

LETTER_ORDER = ("-generated_at", "-id")
PAGE_SIZE = 20


def may_send_letters(user: Viewer, case: Case) -> bool:
    """Whether ``user`` generates, reads and records the sending of ``case``'s letters."""
    return FileVisible.allows(user, case, FileAudience.HR)


def letters_for(user: Viewer, case: Case) -> QuerySet[Letter]:
    """``case``'s letters ``user`` may read, newest first (none for anyone else),
    each with its document's latest version number (``version``)."""
    if not may_send_letters(user, case):
        return Letter.objects.none()
    return (
        Letter.objects.filter(case=case)
        .filter(FileVisible.q(user, audience_field="document__audience"))
        .select_related("generated_by", "sent_by")
        .annotate(version=Max("document__versions__number"))
        .order_by(*LETTER_ORDER)
    )


def letters_page(
    user: Viewer, case: Case, *, cursor: Cursor | None, size: int = PAGE_SIZE
) -> KeysetPage[Letter]:
    return keyset_page(letters_for(user, case), order=LETTER_ORDER, cursor=cursor, size=size)


def letter_get(user: Viewer, case: Case, letter_id: int) -> Letter | None:
    return letters_for(user, case).filter(pk=letter_id).first()
