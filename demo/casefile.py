"""The demo's case file (issue 19): what an HR team would have kept on a few
of a trust's cases, made through the same services a person uses.

On a panel case waiting for its decision: a witness statement for HR and the
panel, a timeline for HR only, two notes (one HR's own, one shared with
everyone on the case), a panel meeting next week (each member is sent the
invitation and its ``invite.ics``) and the invitation letter for it. On a
case closed after informal resolution: the outcome letter, recorded as sent
by hand. On a case in formal investigation: the notice of it. And one
referring manager away this week, covered by another.

Dated today: these are the trust's current work, not history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils import timezone
from fpdf import FPDF

from accounts.types import Actor
from casefile.models import DocumentKind
from casefile.notes import note_add
from casefile.services import document_add
from core.errors import DomainError
from letters.kinds import LetterKind, SentHow
from letters.services import letter_generate, letter_record_sent
from panels.meetings import meeting_schedule
from workflow.access import FileAudience
from workflow.models import Case, Outcome, Stage
from workflow.services.delegation import delegation_set

MEETING_PLACE = "Committee Room 1, Trust Headquarters"


def casefile_load(*, hr_username: str, managers: Iterable[str]) -> int:
    """Documents, notes, a meeting and letters on a few open and closed
    cases, and one manager's cover; how many cases were given any."""
    users = {u.username: u for u in get_user_model().objects.all()}
    hr = users[hr_username]
    given = 0
    panel_case = _panel_case_waiting(hr)
    if panel_case is not None:
        _statement_and_notes(panel_case, hr)
        _meeting_and_invitation(panel_case, hr)
        given += 1
    for stage, outcome, kind in (
        (Stage.CLOSED, Outcome.RESOLVED_INFORMALLY, LetterKind.INFORMAL_OUTCOME),
        (Stage.FORMAL, Outcome.FORMAL_INVESTIGATION, LetterKind.FORMAL_INVESTIGATION_NOTICE),
    ):
        case = Case.objects.filter(stage=stage, outcome=outcome).order_by("-id").first()
        if case is not None and case.referring_manager_id != hr.pk:
            letter = letter_generate(case_id=case.pk, actor=hr, kind=kind)
            letter_record_sent(
                letter_id=letter.pk, actor=hr, sent_on=timezone.localdate(), how=SentHow.HAND
            )
            given += 1
    _cover([users[name] for name in managers if name in users])
    return given


def _panel_case_waiting(hr: Actor) -> Case | None:
    """The newest case whose panel is convened and has yet to decide."""
    cases = Case.objects.filter(stage=Stage.PANEL, panels__isnull=False).exclude(
        referring_manager=hr
    )
    return cases.order_by("-id").distinct().first()


def _statement_and_notes(case: Case, hr: Actor) -> None:
    document_add(
        case_id=case.pk,
        actor=hr,
        title="Statement of the nurse in charge",
        kind=DocumentKind.STATEMENT,
        audience=FileAudience.PANEL,
        name="statement-nurse-in-charge.pdf",
        data=_pdf(
            "Statement of the nurse in charge",
            "The handover ran late because two admissions arrived together. "
            "Voices were raised at the nurses' station; no patient was affected. "
            "I spoke to both colleagues the same afternoon.",
        ),
    )
    document_add(
        case_id=case.pk,
        actor=hr,
        title="Timeline of the shift",
        kind=DocumentKind.TIMELINE,
        audience=FileAudience.HR,
        name="timeline.pdf",
        data=_pdf("Timeline", "07:30 handover began. 07:55 first admission. 08:10 second."),
    )
    note_add(
        case_id=case.pk,
        actor=hr,
        text="Spoke to the employee's trade union representative, who will attend "
        "any meeting with them.",
        about_date=timezone.localdate(),
    )
    note_add(
        case_id=case.pk,
        actor=hr,
        text="The rota for the week is attached as evidence once the ward sends it.",
        audience=FileAudience.CASE,
    )


def _meeting_and_invitation(case: Case, hr: Actor) -> None:
    day = timezone.localdate() + dt.timedelta(days=7)
    day += dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() > 4 else 0)
    zone = timezone.get_current_timezone()
    try:
        meeting_schedule(
            case_id=case.pk,
            actor=hr,
            starts_at=dt.datetime.combine(day, dt.time(10, 0), zone),
            ends_at=dt.datetime.combine(day, dt.time(11, 0), zone),
            place=MEETING_PLACE,
        )
    except DomainError:
        return  # the panel's decision step is not open: no meeting to arrange
    letter_generate(
        case_id=case.pk,
        actor=hr,
        kind=LetterKind.MEETING_INVITATION,
        meeting_date=day,
        meeting_time=dt.time(10, 0),
        meeting_place=MEETING_PLACE,
    )


def _cover(managers: list[Actor]) -> None:
    """The last manager is away this week; the first covers their referrals."""
    if len(managers) < 2:
        return
    today = timezone.localdate()
    away, covering = managers[-1], managers[0]
    delegation_set(
        actor=away,
        person_id=away.pk,
        delegate_id=covering.pk,
        starts_on=today,
        ends_on=today + dt.timedelta(days=4),
        reason="Annual leave.",
    )


def _pdf(title: str, text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 7, text)
    return bytes(pdf.output())
