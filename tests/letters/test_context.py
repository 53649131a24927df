"""A letter prints the one case it is about, and of it only the allow-list:
never the employee's ethnic category, the concern's summary or informal
steps, a panel member's conflict of interest, nor anything of another case,
whatever a template (built from its allowed placeholders) asks for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from letters.compose import letter_page
from letters.context import Meeting, case_values
from letters.kinds import LetterKind
from letters.models import Letterhead, LetterTemplate
from letters.placeholders import ALLOWED, fill
from letters.render import letter_pdf
from letters.seed import letterhead_current
from panels.services import panel_declare
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from workflow.services import case_record_informal_outcome, case_triage, referral_submit

from ..factories import EmployeeFactory, referral_kwargs
from ..workflow.steps import Story
from .conftest import pdf_text

pytestmark = pytest.mark.django_db

SUMMARY = "Qzx summary: an allegation nobody may print."
STEPS = "Qzx informal steps already tried."
CONFLICT = "Qzx conflict: the employee is my close friend."
OTHER_NAME = "Zebedee Qzx Otherperson"
MEETING = Meeting(date=dt.date(2030, 1, 8), time=dt.time(9, 15), place="Room 1")
PLAIN = st.text(st.characters(blacklist_characters="{}", blacklist_categories=["Cs"]), max_size=30)


class Seen:
    """The case letters are generated for, another case, and what must not show."""

    def __init__(self, cast: Any) -> None:
        subject: Employee = EmployeeFactory.create(name="Ama Mensah", ethnic_category="N")
        story = Story(cast, subject)
        kwargs = referral_kwargs(subject, summary=SUMMARY, informal_steps_tried=STEPS)
        self.formal = story.formal()  # decided by the panel and commissioned
        self.formal.summary = SUMMARY
        self.formal.informal_steps_tried = STEPS
        self.formal.save(update_fields=["summary", "informal_steps_tried"])
        # The same employee's second referral, closed informally.
        closed = referral_submit(actor=cast.other_manager, **kwargs, duplicate_reason="Qzx dup")
        case_triage(case_id=closed.pk, actor=cast.hr, route="informal")
        self.closed = case_record_informal_outcome(
            case_id=closed.pk, actor=cast.other_manager, resolved=True, actions="Qzx-safe actions"
        )
        # Another employee's case, with a member's conflict of interest.
        other = Story(cast, EmployeeFactory(name=OTHER_NAME, ethnic_category="A"))
        self.other = other.just_convened()
        panel_declare(case_id=self.other.pk, actor=cast.panel_a, no_conflict=False, reason=CONFLICT)
        self.forbidden = [
            EthnicCategory("N").label,
            EthnicCategory("A").label,
            SUMMARY,
            STEPS,
            CONFLICT,
            OTHER_NAME,
            self.other.reference,
            "Qzx dup",
        ]

    def values(self, case: Any, kind: str, letterhead: Letterhead) -> dict[str, str]:
        return case_values(
            case,
            kind=kind,
            letterhead=letterhead,
            hr_contact_name="Hana HR",
            today=dt.date(2026, 12, 1),
            meeting=MEETING,
        )


@pytest.fixture
def seen(cast: Any) -> Seen:
    return Seen(cast)


APPLIES = [
    ("formal", LetterKind.MEETING_INVITATION),
    ("formal", LetterKind.PANEL_OUTCOME),
    ("formal", LetterKind.FORMAL_INVESTIGATION_NOTICE),
    ("closed", LetterKind.INFORMAL_OUTCOME),
]


@st.composite
def bodies(draw: Any) -> tuple[str, str, str]:
    which, kind = draw(st.sampled_from(APPLIES))
    tokens = st.sampled_from(sorted(ALLOWED[kind])).map(lambda name: f"{{{name}}}")
    parts = draw(st.lists(st.one_of(PLAIN, tokens), max_size=20))
    return which, kind, "".join(parts)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies())
def test_any_template_of_allowed_placeholders_prints_nothing_it_must_not(
    seen: Seen, body: tuple[str, str, str]
) -> None:
    which, kind, text = body
    letterhead = letterhead_current()
    case = getattr(seen, which)
    values = seen.values(case, kind, letterhead)
    assert set(values) >= set(ALLOWED[kind])  # every allowed token has its value
    filled = fill(text, values)
    for marker in seen.forbidden:
        assert marker not in filled
    template = LetterTemplate(kind=kind, title="t", subject=text[:200], body=text)
    page = letter_page(template, values, letterhead)
    printed = " ".join([page.subject, *page.paragraphs, *page.addressee])
    for marker in seen.forbidden:
        assert marker not in printed
    assert letter_pdf(page).startswith(b"%PDF-")  # never raises


def test_every_letter_of_the_case_as_printed_holds_none_of_it(seen: Seen, tmp_path: Path) -> None:
    letterhead = letterhead_current()
    for which, kind in APPLIES:
        case = getattr(seen, which)
        template = LetterTemplate.objects.get(kind=kind)
        # The worst template: every placeholder its kind allows.
        template.body = "\n\n".join(f"{{{name}}}" for name in ALLOWED[kind])
        values = seen.values(case, kind, letterhead)
        text = pdf_text(letter_pdf(letter_page(template, values, letterhead)), tmp_path)
        assert case.employee_name in text
        assert case.reference in text
        for marker in seen.forbidden:
            assert marker not in text, (kind, marker)
