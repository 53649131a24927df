"""The wording every trust starts with, before its HR team edits it.

Written to the Acas Code of Practice on disciplinary and grievance
procedures: an invitation says what the meeting is about in neutral words,
when and where it is, and that the employee may be accompanied by a trade
union representative or a workplace colleague; an outcome says what was
decided and what happens next; a notice of a formal investigation says one
has been commissioned and that it is not a finding. Every letter ends with
the trust's support signposting (``{support}``).
"""

from __future__ import annotations

from .kinds import LetterKind

SUPPORT_TEXT = (
    "Support is available to you throughout. You can speak in confidence to "
    "occupational health, or to the employee assistance programme, which is free, "
    "confidential and open 24 hours a day. The Freedom to Speak Up guardian can "
    "listen to any concern about how this process is being handled, and your trade "
    "union or staff side representative can advise and support you."
)


def _letter(*paragraphs: str) -> str:
    """A body: the paragraphs given, then the contact and the support signposting."""
    close = (
        "If you have any questions, please contact {hr_contact_name} in HR: {hr_contact_details}.",
        "{support}",
    )
    return "\n\n".join(["Dear {employee_name},", *paragraphs, *close])


ACCOMPANIED = (
    "You have the right to be accompanied at the meeting by a trade union representative "
    "or a workplace colleague of your choice. Please tell us who will come with you before "
    "the meeting."
)

TEMPLATES: dict[str, tuple[str, str, str]] = {
    LetterKind.MEETING_INVITATION: (
        "Invitation to a meeting",
        "Invitation to a meeting",
        _letter(
            "I am writing to invite you to a meeting under the trust's Fair Treatment Panel "
            "process. The purpose of the meeting is to talk with you about a concern that has "
            "been referred, to hear your account, and to agree what should happen next. "
            "No decision has been made.",
            "The meeting will be held on {meeting_date} at {meeting_time}, at {meeting_place}.",
            ACCOMPANIED + " If you or your companion cannot attend at this time, please contact "
            "us and we will offer another date, normally within five working days.",
            "If you need any adjustments to take part, for example a different room, an "
            "interpreter, or extra time, please let us know.",
        ),
    ),
    LetterKind.INFORMAL_OUTCOME: (
        "Outcome of informal resolution",
        "Outcome of informal resolution",
        _letter(
            "Thank you for taking part in the informal discussions about the concern referred "
            "under the trust's Fair Treatment Panel process.",
            "The outcome is that {outcome}.",
            "The actions agreed are: {agreed_actions}",
            "{outcome_reason}",
            "What happens next: {next_steps}",
        ),
    ),
    LetterKind.PANEL_OUTCOME: (
        "Outcome of the Fair Treatment Panel",
        "Outcome of the Fair Treatment Panel",
        _letter(
            "The Fair Treatment Panel has met to consider the concern referred, and I am "
            "writing to tell you its outcome.",
            "The outcome is: {outcome}.",
            "The panel's reasons: {outcome_reason}",
            "The actions agreed are: {agreed_actions}",
            "What happens next: {next_steps}",
        ),
    ),
    LetterKind.FORMAL_INVESTIGATION_NOTICE: (
        "Notice of a formal investigation",
        "Notice of a formal investigation",
        _letter(
            "I am writing to let you know that, following the Fair Treatment Panel's review, "
            "a formal investigation was commissioned on {commissioned_date} under the trust's "
            "policy.",
            "An investigation is a way of establishing the facts. It is not a finding, and no "
            "decision has been made about the concern. You will have the opportunity to give "
            "your account to the investigating officer.",
            "The investigating officer will contact you to arrange a meeting. You have the right "
            "to be accompanied at any investigation meeting by a trade union representative or "
            "a workplace colleague.",
        ),
    ),
}
