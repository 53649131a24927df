"""The values a letter's placeholders print, from one case only.

Each value is read from a named field of the one case the letter is about
(selected by id within the trust) or of its own panel decision, and from
the trust's letterhead: an explicit allow-list, nothing copied wholesale.
Never read here: the employee's ethnic category or any health information,
the concern's summary and informal steps, the triage reason, the just
culture answers, panel members' views or conflict-of-interest reasons,
and anything of another case. ``tests/letters/test_context.py`` checks it
against cases holding each of those.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from core.errors import Conflict
from panels.models import CompanionRole, MeetingStatus, PanelDecision, PanelMeeting
from workflow.models import Case, Outcome

from .kinds import LetterKind
from .models import Letterhead
from .placeholders import allowed

# What happens next after each outcome: standard wording, not case data.
NEXT_STEPS: dict[str, str] = {
    "informal_unresolved": (
        "The concern will now be considered by the trust's Fair Treatment Panel. "
        "HR will write to you about it."
    ),
    Outcome.RESOLVED_INFORMALLY: (
        "The concern is closed. The agreed actions will be reviewed with you by your manager."
    ),
    Outcome.FORMAL_INVESTIGATION: (
        "A formal investigation will be arranged under the trust's policy. "
        "You will receive a separate letter about it; it is not a finding."
    ),
    Outcome.INFORMAL_ACTION: (
        "Your manager will meet you to agree how the informal action will be taken forward."
    ),
    Outcome.MEDIATION: "HR will contact you to arrange mediation with a trained mediator.",
    Outcome.OTHER_POLICY: (
        "The concern will be handled under another of the trust's policies; "
        "HR will write to you about which one and what it means for you."
    ),
    Outcome.OCCUPATIONAL_HEALTH: (
        "You will be offered support through the trust's wellbeing services."
    ),
    Outcome.EXTERNAL_REFERRAL: (
        "The concern has been referred outside the trust; HR will tell you what this means for you."
    ),
    Outcome.NO_FURTHER_ACTION: "No further action will be taken and the concern is closed.",
}


@dataclass(frozen=True)
class Meeting:
    """An invitation's meeting: from the form, pre-filled from the panel's next meeting."""

    date: dt.date
    time: dt.time
    place: str


def long_date(day: dt.date) -> str:
    """Tuesday 8 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def letterhead_values(letterhead: Letterhead) -> dict[str, str]:
    return {
        "trust_name": letterhead.display_name,
        "hr_contact_details": letterhead.contact_details or "through the HR team",
        "signatory_name": letterhead.signatory_name,
        "signatory_title": letterhead.signatory_title,
        "support": letterhead.support_text,
    }


def case_values(
    case: Case,
    *,
    kind: str,
    letterhead: Letterhead,
    hr_contact_name: str,
    today: dt.date,
    meeting: Meeting | None = None,
) -> dict[str, str]:
    """Every placeholder's value for a ``kind`` letter about ``case``.

    Raises ``Conflict`` when the case has nothing yet for the letter to say
    (an outcome letter before its outcome, a notice before the investigation)."""
    kind = LetterKind(kind)
    values = {
        "employee_name": case.employee_name,
        "employee_job_title": case.employee_job_title,
        "case_reference": case.reference,
        "letter_date": long_date(today),
        "hr_contact_name": hr_contact_name,
        **letterhead_values(letterhead),
    }
    if kind is LetterKind.MEETING_INVITATION:
        if meeting is None:
            raise Conflict("An invitation needs the meeting's date, time and place.")
        values |= meeting_values(meeting)
    elif kind is LetterKind.INFORMAL_OUTCOME:
        values |= _informal_outcome(case)
    elif kind is LetterKind.PANEL_OUTCOME:
        values |= _panel_outcome(case)
    else:
        if case.formal_commissioned_at is None:
            raise Conflict("No formal investigation has been commissioned on this case yet.")
        values["commissioned_date"] = long_date(case.formal_commissioned_at.date())
    return values


def meeting_values(meeting: Meeting) -> dict[str, str]:
    return {
        "meeting_date": long_date(meeting.date),
        "meeting_time": f"{meeting.time:%H:%M}",
        "meeting_place": meeting.place,
    }


def _informal_outcome(case: Case) -> dict[str, str]:
    if case.informal_resolved is None:
        raise Conflict("The outcome of informal resolution has not been recorded on this case yet.")
    steps: str
    if case.informal_resolved:
        outcome, steps = "the concern was resolved informally", Outcome.RESOLVED_INFORMALLY
    else:
        outcome, steps = "the concern was not resolved informally", "informal_unresolved"
    return {
        "outcome": outcome,
        "outcome_reason": case.informal_reason,
        "agreed_actions": case.informal_actions,
        "next_steps": NEXT_STEPS[steps],
    }


def _panel_outcome(case: Case) -> dict[str, str]:
    # The case's own latest decision: by case id, nothing else of the panel.
    decision = (
        PanelDecision.objects.filter(case_id=case.pk)
        .only("outcome", "rationale", "agreed_actions", "decided_at")
        .order_by("-decided_at", "-id")
        .first()
    )
    if decision is None:
        raise Conflict("The Fair Treatment Panel has not decided this case yet.")
    return {
        "outcome": Outcome(decision.outcome).label,
        "outcome_reason": decision.rationale,
        "agreed_actions": decision.agreed_actions or "none recorded",
        "next_steps": NEXT_STEPS.get(decision.outcome, ""),
    }


def companion_paragraphs(case: Case) -> list[str]:
    """What an invitation adds about the employee's companion at the case's
    next scheduled panel meeting (``PanelMeeting.companion_name``): who is
    coming with them, when HR has recorded it. The right itself is in the
    template's wording (``defaults.ACCOMPANIED``); nothing is added when no
    companion is known. The companion's name and role only: nothing else of
    the meeting's record."""
    meeting = (
        PanelMeeting.objects.filter(
            case_id=case.pk, status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
        )
        .only("companion_name", "companion_role")
        .order_by("starts_at", "id")
        .first()
    )
    name = (meeting.companion_name or "").strip() if meeting is not None else ""
    if meeting is None or not name:
        return []
    role = (
        f", {CompanionRole(meeting.companion_role).label.lower()}"
        if meeting.companion_role in CompanionRole.values
        else ""
    )
    return [f"You have told us that {name}{role}, will accompany you at the meeting."]


# --- the admin's preview: a made-up case -------------------------------------------------

SAMPLE_MEETING = Meeting(
    date=dt.date(2026, 12, 8), time=dt.time(10, 30), place="Room 4, Education Centre"
)
SAMPLE_CASE: dict[str, str] = {
    "employee_name": "Siobhán Ó Ceallaigh",
    "employee_job_title": "Senior Staff Nurse",
    "case_reference": "SAMPLE-2026-0001",
    "hr_contact_name": "Łukasz Nowak",
    "outcome": "Informal action",
    "outcome_reason": "The panel found that a supportive conversation and a reflective "
    "learning plan are proportionate, given the pressures on the ward that evening.",
    "agreed_actions": "A reflective learning plan with a named clinical supervisor, "
    "reviewed in six weeks.",
    "next_steps": NEXT_STEPS[Outcome.INFORMAL_ACTION],
    "commissioned_date": long_date(dt.date(2026, 12, 1)),
}


def sample_values(kind: str, letterhead: Letterhead, today: dt.date) -> dict[str, str]:
    """Every placeholder of ``kind`` filled from a made-up case, for the admin's preview."""
    values = {**SAMPLE_CASE, "letter_date": long_date(today), **letterhead_values(letterhead)}
    values |= meeting_values(SAMPLE_MEETING)
    return {name: value for name, value in values.items() if name in allowed(kind)}
