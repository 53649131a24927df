"""A template and its values made into the letter's PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .models import Letterhead, LetterTemplate
from .placeholders import fill, paragraphs
from .render import LetterPage, letter_pdf


def letter_page(
    template: LetterTemplate,
    values: Mapping[str, str],
    letterhead: Letterhead,
    *,
    support: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> LetterPage:
    """The letter's page. ``support``: the trust's support services, one
    line each (``wellbeing.selectors.support_lines``); ``extra``: paragraphs
    the product adds after the template's (an invitation's companion)."""
    subject = fill(template.subject, values).strip()
    reference = values.get("case_reference", "")
    return LetterPage(
        trust_name=letterhead.display_name,
        address_lines=[line for line in letterhead.address.splitlines() if line.strip()],
        letter_date=values.get("letter_date", ""),
        addressee=[values.get("employee_name", ""), values.get("employee_job_title", "")],
        subject=f"{subject} (reference {reference})" if reference else subject,
        paragraphs=[*paragraphs(fill(template.body, values)), *extra],
        support=tuple(support),
        signatory_name=letterhead.signatory_name,
        signatory_title=letterhead.signatory_title,
        logo=bytes(letterhead.logo or b""),
        title=subject,
    )


def letter_bytes(
    template: LetterTemplate,
    values: Mapping[str, str],
    letterhead: Letterhead,
    *,
    support: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> bytes:
    return letter_pdf(letter_page(template, values, letterhead, support=support, extra=extra))
