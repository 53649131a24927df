"""Case notes: reads. Every read goes through ``workflow.access.FileVisible``:
a note is listed only to those its audience names, and nothing of a case's
notes to anyone who may not see its details (a panel member yet to declare).

Showing notes is showing personal data about the employee; HR-only notes
are where HR writes what the rest of the case may not read (a health
condition, a family matter). Each page that shows HR-only notes is recorded
as a showing in the audit log (``audit.services.personal_data_access_record``,
as the ethnic category's are), naming the field, never the text.

A page is a ``core.paging.KeysetPage``: each row a ``ShownNote`` holding only what its
viewer may read. A correction the viewer may not read (it went to a
narrower audience) is said to exist, with its date and author, but its id,
text and reason are not handed to the template at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, QuerySet, Value, When
from django.db.models import Case as SqlCase

from accounts.types import Viewer, as_actor
from audit.services import personal_data_access_record
from core.paging import Cursor, KeysetPage, keyset_page
from workflow.access import FileAudience, FileVisible
from workflow.models import Case

from .models import CaseNote

NOTE_ORDER = ("-written_at", "-id")
# The field a showing of HR-only notes names in the audit log.
HR_NOTES_SHOWN = "case_notes_hr_only"


def notes_for(user: Viewer, case: Case) -> QuerySet[CaseNote]:
    """The case's notes ``user`` may read, newest first (page them: ``notes_page``)."""
    return (
        CaseNote.objects.filter(case=case)
        .filter(FileVisible.q(user))
        .select_related("author")
        .order_by(*NOTE_ORDER)
    )


@dataclass(frozen=True)
class Correction:
    """That a note was corrected: when and by whom; ``note_id`` only when the
    viewer may read the correction."""

    note_id: int | None
    written_at: dt.datetime
    author_name: str


@dataclass(frozen=True)
class ShownNote:
    id: int
    written_at: dt.datetime
    about_date: dt.date | None
    author_name: str
    audience: str
    audience_label: str
    text: str
    corrects_id: int | None
    reason: str
    correction: Correction | None

    @property
    def hr_only(self) -> bool:
        return self.audience == FileAudience.HR


def notes_page(
    user: Viewer, case: Case, *, cursor: Cursor | None, size: int, channel: str = "web"
) -> KeysetPage[ShownNote]:
    """One keyset page of the notes ``user`` may read (``core.paging``), each
    with its correction as ``user`` may read it. A page showing HR-only
    notes is recorded as a showing."""
    page: KeysetPage[CaseNote] = keyset_page(
        notes_for(user, case), order=NOTE_ORDER, cursor=cursor, size=size
    )
    corrections = _corrections(user, [n.pk for n in page.rows])
    rows = [_shown(note, corrections.get(note.pk)) for note in page.rows]
    if any(row.hr_only for row in rows):
        personal_data_access_record(
            user=as_actor(user), case=case, field=HR_NOTES_SHOWN, channel=channel
        )
    return KeysetPage(rows=rows, newer=page.newer, older=page.older)


def note_get(user: Viewer, case: Case, note_id: int, *, channel: str = "web") -> ShownNote | None:
    """One note of the case as ``user`` may read it, or None (a form about a
    note on another page). An HR-only note shown is recorded as a showing."""
    note = notes_for(user, case).filter(pk=note_id).first()
    if note is None:
        return None
    row = _shown(note, _corrections(user, [note.pk]).get(note.pk))
    if row.hr_only:
        personal_data_access_record(
            user=as_actor(user), case=case, field=HR_NOTES_SHOWN, channel=channel
        )
    return row


def _corrections(user: Viewer, ids: list[int]) -> dict[int, Correction]:
    """The corrections of the notes ``ids``, by the id of the note each corrects:
    one query, whether ``user`` may read each decided by ``FileVisible.q``."""
    if not ids:
        return {}
    rows = (
        CaseNote.objects.filter(corrects__in=ids)
        .select_related("author")
        .only("id", "corrects_id", "written_at", "author", "case_id", "audience")
        .annotate(
            readable=SqlCase(
                When(FileVisible.q(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    return {
        int(c.corrects_id): Correction(
            note_id=c.pk if c.readable else None,
            written_at=c.written_at,
            author_name=_name(c.author),
        )
        for c in rows
        if c.corrects_id is not None
    }


def _shown(note: CaseNote, correction: Correction | None) -> ShownNote:
    return ShownNote(
        id=note.pk,
        written_at=note.written_at,
        about_date=note.about_date,
        author_name=_name(note.author),
        audience=note.audience,
        audience_label=FileAudience(note.audience).label,
        text=note.text,
        corrects_id=note.corrects_id,
        reason=note.reason,
        correction=correction,
    )


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)
