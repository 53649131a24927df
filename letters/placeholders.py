"""The placeholders a letter template may use, and the checks made when one is saved.

A template is plain text: paragraphs separated by a blank line, with
``{placeholder}`` tokens and nothing else (no template language, no HTML), so
what a trust writes cannot reach anything but the values listed here. Each
kind of letter has its own allow-list: an outcome letter may say the outcome,
an invitation may not (there is none yet). The values come from
``letters.context`` only, which reads the one case the letter is about,
field by named field: never the employee's ethnic category or health, the
concern's summary, or a panel member's conflict of interest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .kinds import LetterKind

# A token is a brace pair with no brace inside; anything else with a brace is unbalanced.
TOKEN = re.compile(r"\{([^{}]*)\}")
SUPPORT = "support"

COMMON: dict[str, str] = {
    "employee_name": "the employee's name, as recorded at referral",
    "employee_job_title": "the employee's job title, as recorded at referral",
    "case_reference": "the case reference",
    "letter_date": "the date of the letter (1 December 2026)",
    "trust_name": "the trust's name as the letterhead shows it",
    "hr_contact_name": "the HR adviser who generates the letter",
    "hr_contact_details": "how to contact HR (the letterhead's contact details)",
    "signatory_name": "who signs the letter (the letterhead's signatory)",
    "signatory_title": "the signatory's job title",
    SUPPORT: "the trust's support signposting (the letterhead's support text): every letter "
    "ends with it",
}
MEETING: dict[str, str] = {
    "meeting_date": "the meeting's date (Tuesday 8 December 2026)",
    "meeting_time": "the meeting's start time (10:30)",
    "meeting_place": "where the meeting is held (a room, or a video call)",
}
OUTCOME: dict[str, str] = {
    "outcome": "the outcome, in words (Informal action)",
    "outcome_reason": "the reason recorded with the outcome",
    "agreed_actions": "the actions agreed with the outcome",
    "next_steps": "what happens next after this outcome (standard wording per outcome)",
}
FORMAL: dict[str, str] = {
    "commissioned_date": "the date the formal investigation was commissioned",
}

ALLOWED: dict[str, dict[str, str]] = {
    LetterKind.MEETING_INVITATION: COMMON | MEETING,
    LetterKind.INFORMAL_OUTCOME: COMMON | OUTCOME,
    LetterKind.PANEL_OUTCOME: COMMON | OUTCOME,
    LetterKind.FORMAL_INVESTIGATION_NOTICE: COMMON | FORMAL,
}
EVERY: frozenset[str] = frozenset().union(*ALLOWED.values())


def allowed(kind: str) -> dict[str, str]:
    """The placeholders ``kind`` may use, each with what it prints."""
    return ALLOWED[LetterKind(kind)]


def help_text(kind: str) -> str:
    """The allow-list as the admin shows it beside the template."""
    return "; ".join(f"{{{name}}}: {what}" for name, what in allowed(kind).items())


def _near(text: str, index: int) -> str:
    excerpt = text[max(0, index - 15) : index + 15].replace("\n", " ")
    return f"“…{excerpt}…”"


def template_errors(kind: str, text: str, *, needs_support: bool = False) -> list[str]:
    """Every fault of ``text`` as a template of ``kind``, each message naming it:
    an unknown placeholder, one this kind may not use, an unbalanced brace;
    with ``needs_support``, a body without ``{support}``."""
    errors: list[str] = []
    label = LetterKind(kind).label.lower()
    may = allowed(kind)
    for match in TOKEN.finditer(text):
        name = match.group(1)
        if name not in EVERY:
            errors.append(f"{{{name}}} is not a placeholder. Use one of: {_names(may)}.")
        elif name not in may:
            errors.append(
                f"{{{name}}} cannot be used in the {label} letter. Use one of: {_names(may)}."
            )
    rest = TOKEN.sub(lambda m: " " * len(m.group(0)), text)
    for index, char in enumerate(rest):
        if char in "{}":
            other = "}" if char == "{" else "{"
            errors.append(
                f"Unbalanced brace: a “{char}” without its “{other}” near {_near(text, index)}."
            )
            break
    if needs_support and f"{{{SUPPORT}}}" not in text:
        errors.append("The letter must end with {support}: the trust's support signposting.")
    return errors


def _names(names: Mapping[str, str]) -> str:
    return ", ".join(f"{{{n}}}" for n in names)


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by its value, in one pass (a
    value containing braces is printed as it is, never read as a token). A
    token with no value (a template saved before a check existed) is left as
    written, so the letter shows the fault rather than failing."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return match.group(0) if found is None else found

    return TOKEN.sub(value, text)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a filled body: separated by blank lines; a single line
    break inside one is kept."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return [block.strip("\n") for block in blocks if block.strip()]
