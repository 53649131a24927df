"""Writes of letters: templates and the letterhead (the admin), a letter
generated for a case and its sending (the case page). Each is one
transaction with its audit event; bad input is a ``ValidationFailed``
naming the field, a case with nothing yet to say a ``Conflict``.

Who may: HR advisers acting on a case they did not refer generate letters
and record them sent (a letter is an HR document: ``access.FileVisible``
with audience "hr"); the trust's HR advisers and the deployment's
administrators edit the templates and the letterhead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, has_role
from accounts.types import Actor
from audit.services import audit_record
from casefile.services import document_add
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from wellbeing.selectors import support_lines
from workflow.access import CaseVisible, FileAudience, FileVisible
from workflow.models import Case

from . import events
from .compose import letter_bytes
from .context import Meeting, case_values, companion_paragraphs
from .kinds import LetterKind, SentHow
from .logo import LogoRefused, logo_check
from .models import Letter, Letterhead, LetterTemplate
from .seed import letterhead_current, template_current

PLACE_MAX = 200
EDIT_REFUSAL = "Only the trust's HR advisers may change its letters."
LETTER_REFUSAL = "Only an HR adviser who did not refer the case may send its letters."

__all__ = [
    "letter_generate",
    "letter_record_sent",
    "letter_template_change",
    "letterhead_change",
    "may_edit_letters",
]


def may_edit_letters(user: Any) -> bool:
    """The trust's HR advisers, and the deployment's administrators (the admin)."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.HR)


def _require_editor(actor: Actor) -> None:
    if not may_edit_letters(actor):
        raise NotAllowed(EDIT_REFUSAL)


def _checked(row: Any) -> None:
    try:
        row.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc


# --- templates and the letterhead --------------------------------------------------------


@transaction.atomic
def letter_template_change(
    *, template_id: int, actor: Actor, title: str, subject: str, body: str
) -> LetterTemplate:
    """New wording for a template, checked (``LetterTemplate.clean``); the
    audit event keeps the old and new wording's hashes, not the wording."""
    _require_editor(actor)
    template = LetterTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise NotFound("No such letter template.")
    old, old_title = template.body_sha256, template.title
    template.title, template.subject = title.strip(), subject.strip()
    template.body = body.replace("\r\n", "\n").strip()
    _checked(template)
    new = template.body_sha256
    if new == old and template.title == old_title:
        return template  # nothing changed: nothing to record
    template.updated_by, template.updated_at = actor, timezone.now()
    template.save()
    audit_record(
        case=None,
        actor=actor,
        action=events.LETTER_TEMPLATE_CHANGED,
        payload={
            "template": template.pk,
            "kind": template.kind,
            "old_sha256": old,
            "new_sha256": new,
        },
    )
    return template


LETTERHEAD_FIELDS = (
    "display_name",
    "address",
    "contact_details",
    "signatory_name",
    "signatory_title",
    "support_text",
)


@transaction.atomic
def letterhead_change(
    *, actor: Actor, logo: bytes | None = None, logo_remove: bool = False, **values: str
) -> Letterhead:
    """Change the current trust's letterhead (the fields named); ``logo``: new
    logo bytes, checked by content; ``logo_remove``: print none."""
    _require_editor(actor)
    unknown = set(values) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise TypeError(f"Not letterhead fields: {', '.join(sorted(unknown))}.")
    letterhead = Letterhead.objects.select_for_update().get(pk=letterhead_current().pk)
    changed = [name for name, value in values.items() if getattr(letterhead, name) != value]
    for name, value in values.items():
        setattr(letterhead, name, value.strip())
    payload: dict[str, Any] = {"fields": changed}
    if logo is not None:
        try:
            letterhead.logo_type = logo_check(logo)
        except LogoRefused as exc:
            raise ValidationFailed({"logo": [str(exc)]}) from exc
        letterhead.logo = logo
        payload["logo_sha256"] = _sha(logo)
    elif logo_remove:
        letterhead.logo, letterhead.logo_type = b"", ""
        payload["logo_removed"] = True
    _checked(letterhead)
    letterhead.save()
    audit_record(case=None, actor=actor, action=events.LETTERHEAD_CHANGED, payload=payload)
    return letterhead


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- letters on a case ------------------------------------------------------------------


def _case_for_letters(case_id: int, actor: Actor) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None or not CaseVisible.allows(actor, case):
        raise NotFound("No such case.")
    if not FileVisible.allows(actor, case, FileAudience.HR):
        raise NotAllowed(LETTER_REFUSAL)
    return case


def _meeting(
    meeting_date: dt.date | None, meeting_time: dt.time | None, meeting_place: str, today: dt.date
) -> Meeting:
    errors: dict[str, list[str]] = {}
    place = (meeting_place or "").strip()
    if meeting_date is None:
        errors["meeting_date"] = ["Give the meeting's date."]
    elif meeting_date < today:
        errors["meeting_date"] = ["The meeting's date is in the past."]
    if meeting_time is None:
        errors["meeting_time"] = ["Give the meeting's start time."]
    if not place:
        errors["meeting_place"] = ["Say where the meeting is held (a room, or a video call)."]
    elif len(place) > PLACE_MAX:
        errors["meeting_place"] = [f"Keep the place under {PLACE_MAX} characters."]
    if errors or meeting_date is None or meeting_time is None:
        raise ValidationFailed(errors)
    return Meeting(date=meeting_date, time=meeting_time, place=place)


@transaction.atomic
def letter_generate(
    *,
    case_id: int,
    actor: Actor,
    kind: str,
    meeting_date: dt.date | None = None,
    meeting_time: dt.time | None = None,
    meeting_place: str = "",
) -> Letter:
    """Generate a ``kind`` letter for the case from the trust's current
    template, store its PDF in the case's file (an HR document) and record it."""
    if kind not in LetterKind.values:
        raise ValidationFailed({"kind": ["Choose which letter to generate."]})
    case = _case_for_letters(case_id, actor)
    today = timezone.localdate()
    meeting = None
    if kind == LetterKind.MEETING_INVITATION:
        meeting = _meeting(meeting_date, meeting_time, meeting_place, today)
    letterhead = letterhead_current()
    values = case_values(
        case,
        kind=kind,
        letterhead=letterhead,
        hr_contact_name=actor.get_full_name() or actor.get_username(),
        today=today,
        meeting=meeting,
    )
    template = template_current(kind)
    label = LetterKind(kind).label
    document = document_add(
        case_id=case.pk,
        actor=actor,
        title=f"Letter: {label} ({today:%d %b %Y})",
        kind="letter",
        audience=FileAudience.HR,
        name=f"{kind.replace('_', '-')}-{case.reference}.pdf",
        data=letter_bytes(
            template,
            values,
            letterhead,
            support=support_lines(),
            extra=companion_paragraphs(case) if meeting is not None else (),
        ),
    )
    letter = Letter.objects.create(
        case=case,
        kind=kind,
        document=document,
        wording_sha256=template.body_sha256,
        generated_by=actor,
        generated_at=timezone.now(),
    )
    payload: dict[str, Any] = {
        "letter": letter.pk,
        "kind": kind,
        "document": document.pk,
        "wording_sha256": template.body_sha256,
    }
    if meeting is not None:
        payload["meeting"] = f"{meeting.date:%Y-%m-%d} {meeting.time:%H:%M}"
    audit_record(
        case=case,
        actor=actor,
        action=events.LETTER_GENERATED,
        from_stage=case.stage,
        to_stage=case.stage,
        payload=payload,
    )
    return letter


@transaction.atomic
def letter_record_sent(
    *, letter_id: int, actor: Actor, sent_on: dt.date | None, how: str
) -> Letter:
    """Record that the letter went out, on ``sent_on`` (not in the future, not
    before it was generated), by email or by hand. Recorded once."""
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise NotFound("No such letter.")
    case = _case_for_letters(letter.case_id, actor)
    if letter.sent_on is not None:
        raise Conflict(f"This letter was recorded as sent on {letter.sent_on:%d %b %Y}.")
    errors: dict[str, list[str]] = {}
    generated_on = timezone.localdate(letter.generated_at)
    if sent_on is None:
        errors["sent_on"] = ["Give the date the letter was sent."]
    elif sent_on > timezone.localdate():
        errors["sent_on"] = ["The date sent cannot be in the future."]
    elif sent_on < generated_on:
        errors["sent_on"] = [
            f"The letter was generated on {generated_on:%d %b %Y}: it cannot have been sent before."
        ]
    if how not in SentHow.values:
        errors["how"] = ["Say whether it was sent by email or by hand."]
    if errors:
        raise ValidationFailed(errors)
    letter.sent_on, letter.sent_how, letter.sent_by = sent_on, how, actor
    letter.save(update_fields=["sent_on", "sent_how", "sent_by"])
    audit_record(
        case=case,
        actor=actor,
        action=events.LETTER_SENT,
        from_stage=case.stage,
        to_stage=case.stage,
        payload={
            "letter": letter.pk,
            "kind": letter.kind,
            "sent_on": f"{sent_on:%Y-%m-%d}",
            "how": how,
        },
    )
    return letter
