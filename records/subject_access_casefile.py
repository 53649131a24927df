"""The case file in a subject access pack: every document (each version,
its file in the pack under ``case-file/``), every case note and every letter
held on the requester's cases (issue 19).

The pack is the employee's own data, so audiences do not narrow it: an
HR-only note about them is theirs to see, after HR's review. Statements and
evidence may name other people, and a note may hold another person's
account: both are listed on the cover for HR to read before release
(``subject_access_redact.REVIEW``), as every free-text column is. People
who added them are named by the pack's rules (``Redaction``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from casefile.models import DocumentVersion
from workflow.access import FileAudience
from workflow.models import Case

from .subject_access_cases import named, when
from .subject_access_redact import PersonRole, Redaction

if TYPE_CHECKING:
    from accounts.types import Actor

Row = tuple[Any, ...]
COLUMNS = ("case_reference", "at", "kind", "title", "audience", "by", "text", "file")
FOLDER = "case-file"
_AUDIENCES = dict(FileAudience.choices)


@dataclass(frozen=True)
class PackedFile:
    """A document version's file, at ``path`` in the pack."""

    path: str
    version: DocumentVersion

    def read(self) -> bytes:
        with self.version.file.open("rb") as handle:
            data: bytes = handle.read()
        return data


def people_in_case_file(case: Case) -> Iterable[Actor]:
    for document in case.documents.all():
        yield from (v.uploaded_by for v in document.versions.all())
    yield from (n.author for n in case.notes.all())
    yield from (letter.sent_by for letter in case.letters.all() if letter.sent_by is not None)
    yield from (a.recorded_by for a in case.accounts.all() if a.recorded_by is not None)


def case_file_rows(
    case: Case, redaction: Redaction, roles: dict[int, PersonRole]
) -> tuple[list[Row], list[PackedFile]]:
    """The case file's rows, in time order, and the files they name."""
    entries: list[tuple[dt.datetime, Row]] = []
    packed: list[PackedFile] = []
    for document in case.documents.all():
        for version in sorted(document.versions.all(), key=lambda v: v.number):
            path = f"{FOLDER}/{case.reference}/{document.pk}-v{version.number}-{version.name}"
            packed.append(PackedFile(path, version))
            entries.append(
                (
                    version.uploaded_at,
                    (
                        case.reference,
                        when(version.uploaded_at),
                        f"Document ({document.get_kind_display()}), version {version.number}",
                        document.title,
                        _audience(document.audience),
                        named(version.uploaded_by, redaction, roles),
                        version.note,
                        path,
                    ),
                )
            )
    for note in case.notes.all():
        kind = f"Correction of note {note.corrects_id}" if note.corrects_id else "Case note"
        about = f" (about {note.about_date:%Y-%m-%d})" if note.about_date else ""
        entries.append(
            (
                note.written_at,
                (
                    case.reference,
                    when(note.written_at),
                    f"{kind} {note.pk}{about}",
                    "",
                    _audience(note.audience),
                    named(note.author, redaction, roles),
                    note.text,
                    "",
                ),
            )
        )
    for account in case.accounts.all():
        # The employee's own account (voice/): typed from a meeting, or sent
        # by them through their link; an uploaded one is its document above.
        meeting = f" (meeting of {account.meeting_on:%Y-%m-%d})" if account.meeting_on else ""
        entries.append(
            (
                account.recorded_at,
                (
                    case.reference,
                    when(account.recorded_at),
                    f"Your account: {account.get_source_display()}{meeting}",
                    "",
                    _audience(FileAudience.PANEL),
                    named(account.recorded_by, redaction, roles) if account.recorded_by else "",
                    account.text,
                    "",
                ),
            )
        )
    for letter in case.letters.all():
        if letter.sent_on is None:
            continue
        entries.append(
            (
                letter.generated_at,
                (
                    case.reference,
                    when(letter.generated_at),
                    f"Letter sent ({letter.get_kind_display()})",
                    "",
                    "",
                    named(letter.sent_by, redaction, roles),
                    f"{letter.get_sent_how_display()} on {letter.sent_on:%Y-%m-%d}",
                    "",
                ),
            )
        )
    entries.sort(key=lambda entry: entry[0])
    return [row for _, row in entries], packed


def _audience(value: str) -> str:
    return str(_AUDIENCES.get(value, value))
