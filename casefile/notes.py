"""Case notes: writes. HR and the case's owner add dated notes; a mistake is
put right by a correction, a new note pointing at the old one. Nothing
edits or removes a note (``CaseNote``; the database refuses it too).

Who may write: an HR adviser acting on a case they did not refer
(``workflow.rules.hr_adviser``) and the case's named owner, and only into
an audience they can read themselves (``workflow.access.FileVisible``): a
note nobody writing it could see again would be a note nobody could
correct.

A correction keeps at least the corrected note's restrictions: by default
its audience is the corrected note's, and it may be narrower (a correction
that moves a detail to HR only) but never wider, so whoever reads a
correction also reads the note it corrects. Narrowing does not take the
old text away from those who read it already: notes are append-only.

Every write is audited (``case_note_added``, ``case_note_corrected``). The
audit log is read by HR and decision-makers, shown on the case's path and
exported, so an event holds the note's id, audience and the SHA-256 of its
text, never the text or the correction's reason: an export cannot leak a
note, and the hash still proves what was written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.types import Actor
from audit.services import audit_record
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from workflow.access import CaseVisible, FileAudience, FileVisible
from workflow.models import Case

from .models import CORRECTION_REASON_MAX, NOTE_TEXT_MAX, CaseNote
from .services import may_add_documents

__all__ = ["NOTE_EVENTS", "NoteEvent", "may_write_notes", "note_add", "note_correct"]


class NoteEvent:
    ADDED = "case_note_added"
    CORRECTED = "case_note_corrected"


# Registered with the audit log in ``CasefileConfig.ready``.
NOTE_EVENTS = (
    (NoteEvent.ADDED, "Case note added"),
    (NoteEvent.CORRECTED, "Case note corrected"),
)

# From the narrowest audience to the widest: each is read by everyone who
# reads the one before it (``FileVisible``).
_WIDTH = {FileAudience.HR: 0, FileAudience.PANEL: 1, FileAudience.CASE: 2}

# Control characters but line breaks and tabs: a note has paragraphs, and a
# NUL would be refused by PostgreSQL as a 500.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

REFUSAL = "Only an HR adviser on the case, or its owner, may write case notes."


def may_write_notes(user: Any, case: Case) -> bool:
    """Whoever may add documents to the case file writes its notes: an HR
    adviser acting on a case they did not refer, or the case's owner. One
    rule for the file's writers (``casefile.services.may_add_documents``)."""
    return may_add_documents(user, case)


def note_add(
    *,
    case_id: int,
    actor: Actor,
    text: str,
    audience: str = FileAudience.HR,
    about_date: dt.date | None = None,
) -> CaseNote:
    """Add a note to the case, written now, for ``audience`` (HR only unless
    chosen otherwise); ``about_date`` is the day it is about, if not today."""
    with transaction.atomic():
        case = _case_for_writing(case_id, actor)
        errors: dict[str, list[str]] = {}
        text, chosen = _checked(case, actor, errors, text=text, audience=audience, day=about_date)
        if errors or chosen is None:
            raise ValidationFailed(errors)
        note = CaseNote(
            case=case,
            author=actor,
            written_at=timezone.now(),
            about_date=about_date,
            text=text,
            audience=chosen,
        )
        note.save(force_insert=True)
        audit_record(case=case, actor=actor, action=NoteEvent.ADDED, payload=_payload(note))
    return note


def note_correct(
    *,
    case_id: int,
    note_id: int,
    actor: Actor,
    text: str,
    reason: str,
    audience: str | None = None,
    about_date: dt.date | None = None,
) -> CaseNote:
    """Correct a note of the case with a new note saying why (``reason``).

    The old note stays, shown struck through. Its audience is the old
    note's unless a narrower one is chosen. A note is corrected once: a
    second correction corrects the correction."""
    with transaction.atomic():
        case = _case_for_writing(case_id, actor)
        old = (
            CaseNote.objects.select_for_update(of=("self",))
            .filter(FileVisible.q(actor), case=case, pk=note_id)
            .first()
        )
        if old is None:
            raise NotFound("No such note on this case, or you may not see it.")
        errors: dict[str, list[str]] = {}
        text, chosen = _checked(
            case, actor, errors, text=text, audience=audience or old.audience, day=about_date
        )
        reason = _checked_reason(reason, old, chosen, errors)
        if errors or chosen is None:
            raise ValidationFailed(errors)
        if CaseNote.objects.filter(corrects=old).exists():
            raise Conflict("This note was corrected already: correct the correction instead.")
        note = CaseNote(
            case=case,
            author=actor,
            written_at=timezone.now(),
            about_date=about_date,
            text=text,
            audience=chosen,
            corrects=old,
            reason=reason,
        )
        try:
            with transaction.atomic():
                note.save(force_insert=True)
        except IntegrityError as exc:  # a correction committed between our check and insert
            raise Conflict("This note was corrected already: correct the correction.") from exc
        audit_record(
            case=case,
            actor=actor,
            action=NoteEvent.CORRECTED,
            payload={**_payload(note), "corrects": old.pk},
        )
    return note


def _case_for_writing(case_id: int, actor: Actor) -> Case:
    case = Case.objects.filter(CaseVisible.q(actor), pk=case_id).first()
    if case is None or not CaseVisible.allows(actor, case):
        raise NotFound("No such case, or you may not see it.")
    if not may_write_notes(actor, case):
        raise NotAllowed(REFUSAL)
    return case


def _checked(
    case: Case,
    actor: Actor,
    errors: dict[str, list[str]],
    *,
    text: str,
    audience: str,
    day: dt.date | None,
) -> tuple[str, FileAudience | None]:
    """The note's text (trimmed) and audience; what is wrong goes in ``errors``."""
    text = (text or "").strip()
    if not text:
        errors["text"] = ["Write the note."]
    elif len(text) > NOTE_TEXT_MAX:
        errors["text"] = [
            f"Keep a note to {NOTE_TEXT_MAX:,} characters (this one has {len(text):,}): "
            "split it into two notes."
        ]
    elif _CONTROLS.search(text):
        errors["text"] = ["Remove the control characters (such as NUL) from the note."]
    chosen: FileAudience | None = None
    try:
        chosen = FileAudience(audience)
    except ValueError:
        errors["audience"] = ["Choose who may read the note."]
    if chosen is not None and not FileVisible.allows(actor, case, chosen):
        errors["audience"] = ["You could not read a note for this audience: choose another."]
    if day is not None and day > timezone.localdate():
        errors["about_date"] = ["A note cannot be about a day that has not happened yet."]
    return text, chosen


def _checked_reason(
    reason: str, old: CaseNote, chosen: FileAudience | None, errors: dict[str, list[str]]
) -> str:
    """The correction's reason (trimmed); its audience no wider than the old note's."""
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the note is being corrected."]
    elif len(reason) > CORRECTION_REASON_MAX:
        errors["reason"] = [f"Keep the reason to {CORRECTION_REASON_MAX} characters."]
    elif _CONTROLS.search(reason):
        errors["reason"] = ["Remove the control characters (such as NUL) from the reason."]
    was = FileAudience(old.audience)
    if chosen is not None and _WIDTH[chosen] > _WIDTH[was]:
        errors["audience"] = [
            f"A correction cannot be shared more widely than the note it corrects ({was.label})."
        ]
    return reason


def _payload(note: CaseNote) -> dict[str, Any]:
    """What the audit event says of a note: never its text."""
    return {
        "note": note.pk,
        "audience": note.audience,
        "about_date": note.about_date.isoformat() if note.about_date else "",
        "text_sha256": hashlib.sha256(note.text.encode()).hexdigest(),
    }
