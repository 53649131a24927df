"""Generating a letter for a case and recording it as sent: the PDF holds the
right person, reference, dates and trust, and nothing it must not; the
rules on who may, when, and with what dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from casefile.models import Document
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from letters.kinds import LetterKind
from letters.models import Letter
from letters.render import LetterPage, letter_pdf
from letters.services import letter_generate, letter_record_sent
from staff.ethnicity import EthnicCategory

from ..factories import EmployeeFactory
from ..workflow.steps import RATIONALE, Story
from .conftest import pdf_text

pytestmark = pytest.mark.django_db

NAME = "Siobhán Ó Ceallaigh"
ETHNICITY = EthnicCategory("N").label
TOMORROW = dt.date.today() + dt.timedelta(days=1)


@pytest.fixture
def irish(cast: Any) -> Story:
    """A story whose employee has a name beyond ASCII and a recorded ethnic category."""
    return Story(cast, EmployeeFactory(name=NAME, job_title="Staff Nurse", ethnic_category="N"))


def invite(story: Story, case: Any, **overrides: Any) -> Letter:
    kwargs: dict[str, Any] = {
        "case_id": case.pk,
        "actor": story.cast.hr,
        "kind": LetterKind.MEETING_INVITATION,
        "meeting_date": TOMORROW,
        "meeting_time": dt.time(10, 30),
        "meeting_place": "Room 4, Education Centre",
    } | overrides
    return letter_generate(**kwargs)


def stored_pdf(letter: Letter) -> bytes:
    version = letter.document.versions.get(number=1)
    with version.file.open("rb") as stored:
        return bytes(stored.read())


def test_an_invitation_prints_the_person_reference_meeting_and_trust_and_no_ethnicity(
    irish: Story, tmp_path: Path, trust: Any
) -> None:
    case = irish.informal()
    letter = invite(irish, case)
    text = pdf_text(stored_pdf(letter), tmp_path)
    assert NAME in text  # the TrueType font prints it as written
    assert "Staff Nurse" in text
    assert case.reference in text
    assert f"{TOMORROW:%A} {TOMORROW.day} {TOMORROW:%B %Y}" in text
    assert "10:30" in text
    assert "Room 4, Education Centre" in text
    assert trust.name in text
    assert "Private and confidential" in text
    assert "trade union representative" in text
    assert "workplace colleague" in text
    assert "Page 1 of" in text
    assert "Freedom to Speak Up guardian" in text  # {support}
    assert ETHNICITY not in text
    assert case.summary not in text


def test_the_letter_is_an_hr_document_on_the_case_and_its_generation_is_audited(
    irish: Story,
) -> None:
    case = irish.informal()
    letter = invite(irish, case)
    document = Document.objects.get(pk=letter.document_id)
    assert (document.case_id, document.kind, document.audience) == (case.pk, "letter", "hr")
    version = document.versions.get()
    assert version.name == f"meeting-invitation-{case.reference}.pdf"
    assert version.content_type == "application/pdf"
    event = AuditEvent.objects.filter(case=case, action="letter_generated").get()
    assert event.actor_id == irish.cast.hr.pk
    assert event.payload["letter"] == letter.pk
    assert event.payload["kind"] == "meeting_invitation"
    assert event.payload["document"] == document.pk
    assert letter.generated_by_id == irish.cast.hr.pk
    assert letter.sent_on is None


def test_an_invitation_needs_its_meeting_named_field_by_field(story: Story) -> None:
    case = story.informal()
    with pytest.raises(ValidationFailed) as caught:
        invite(story, case, meeting_date=None, meeting_time=None, meeting_place=" ")
    assert set(caught.value.errors) == {"meeting_date", "meeting_time", "meeting_place"}
    with pytest.raises(ValidationFailed) as caught:
        invite(story, case, meeting_date=dt.date.today() - dt.timedelta(days=1))
    assert caught.value.errors == {"meeting_date": ["The meeting's date is in the past."]}
    assert not Letter.objects.exists()
    assert not Document.objects.exists()


def test_an_unknown_kind_is_refused(story: Story) -> None:
    case = story.informal()
    with pytest.raises(ValidationFailed) as caught:
        letter_generate(case_id=case.pk, actor=story.cast.hr, kind="warning")
    assert caught.value.errors == {"kind": ["Choose which letter to generate."]}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (LetterKind.INFORMAL_OUTCOME, "informal resolution has not been recorded"),
        (LetterKind.PANEL_OUTCOME, "has not decided this case yet"),
        (LetterKind.FORMAL_INVESTIGATION_NOTICE, "No formal investigation has been commissioned"),
    ],
)
def test_an_outcome_letter_is_refused_before_its_outcome(
    story: Story, kind: str, message: str
) -> None:
    case = story.informal()
    with pytest.raises(Conflict, match=message):
        letter_generate(case_id=case.pk, actor=story.cast.hr, kind=kind)
    assert not Letter.objects.exists()


def test_the_panel_outcome_prints_the_outcome_and_what_happens_next(
    irish: Story, tmp_path: Path
) -> None:
    case = irish.signoff()  # the panel decided on a formal investigation
    letter = letter_generate(case_id=case.pk, actor=irish.cast.hr, kind=LetterKind.PANEL_OUTCOME)
    text = pdf_text(stored_pdf(letter), tmp_path)
    assert "The outcome is: Formal investigation." in text
    assert RATIONALE in text
    assert "it is not a finding" in text


def test_the_formal_notice_states_the_date_commissioned_and_that_it_is_not_a_finding(
    irish: Story, tmp_path: Path
) -> None:
    case = irish.formal()
    letter = letter_generate(
        case_id=case.pk, actor=irish.cast.hr, kind=LetterKind.FORMAL_INVESTIGATION_NOTICE
    )
    text = pdf_text(stored_pdf(letter), tmp_path)
    day = timezone.localdate(case.formal_commissioned_at)
    assert f"commissioned on {day:%A} {day.day} {day:%B %Y}" in text
    assert "It is not a finding" in text


def test_the_informal_outcome_says_it_was_resolved(irish: Story, tmp_path: Path) -> None:
    case = irish.closed()
    letter = letter_generate(case_id=case.pk, actor=irish.cast.hr, kind=LetterKind.INFORMAL_OUTCOME)
    text = pdf_text(stored_pdf(letter), tmp_path)
    assert "The outcome is that the concern was resolved informally." in text


def test_only_an_hr_adviser_generates_a_letter(story: Story, extras: Any) -> None:
    case = story.informal()
    cast = story.cast
    for person in (cast.manager, cast.director):  # they see the case, not its HR file
        with pytest.raises(NotAllowed):
            invite(story, case, actor=person)
    for person in (cast.outsider, cast.governance, cast.panel_a, cast.other_manager):
        with pytest.raises(NotFound):
            invite(story, case, actor=person)
    # An HR adviser who referred the case is its manager there, not its HR.
    referred = story.informal(manager=extras.manager_hr)
    with pytest.raises(NotAllowed):
        invite(story, referred, actor=extras.manager_hr)
    assert not Letter.objects.exists()


def test_recording_a_letter_sent(story: Story) -> None:
    case = story.informal()
    letter = invite(story, case)
    today = timezone.localdate()
    sent = letter_record_sent(letter_id=letter.pk, actor=story.cast.hr, sent_on=today, how="hand")
    assert (sent.sent_on, sent.sent_how, sent.sent_by_id) == (today, "hand", story.cast.hr.pk)
    event = AuditEvent.objects.filter(case=case, action="letter_sent").get()
    assert event.payload == {
        "letter": letter.pk,
        "kind": "meeting_invitation",
        "sent_on": f"{today:%Y-%m-%d}",
        "how": "hand",
    }
    with pytest.raises(Conflict, match="was recorded as sent"):
        letter_record_sent(letter_id=letter.pk, actor=story.cast.hr, sent_on=today, how="email")


def test_a_sent_date_in_the_future_or_before_generation_is_refused(story: Story) -> None:
    case = story.informal()
    letter = invite(story, case)
    today = timezone.localdate()
    hr = story.cast.hr
    bad = {
        today + dt.timedelta(days=1): "The date sent cannot be in the future.",
        today - dt.timedelta(days=1): "it cannot have been sent before",
    }
    for day, message in bad.items():
        with pytest.raises(ValidationFailed) as caught:
            letter_record_sent(letter_id=letter.pk, actor=hr, sent_on=day, how="email")
        assert message in caught.value.errors["sent_on"][0]
    with pytest.raises(ValidationFailed) as caught:
        letter_record_sent(letter_id=letter.pk, actor=hr, sent_on=None, how="pigeon")
    assert set(caught.value.errors) == {"sent_on", "how"}
    with pytest.raises(NotAllowed):
        letter_record_sent(letter_id=letter.pk, actor=story.cast.manager, sent_on=today, how="hand")
    letter.refresh_from_db()
    assert letter.sent_on is None
    assert not AuditEvent.objects.filter(action="letter_sent").exists()


# --- the renderer on its own -------------------------------------------------------------

PAGE = LetterPage(
    trust_name="Łódź and Øresund NHS Trust",
    address_lines=["1 Hospital Road", "London"],
    letter_date="Tuesday 8 December 2026",
    addressee=["Łukasz Nowak", "Porter"],
    subject="Invitation to a meeting (reference RAL-2026-0001)",
    paragraphs=["Dear Łukasz Nowak,", "A “quoted” word \u2013 and more. " * 200, "你好"],
    signatory_name="Siân Davies",
    signatory_title="Head of HR",
)


def test_a_name_beyond_latin1_prints_in_the_unicode_font(tmp_path: Path) -> None:
    text = pdf_text(letter_pdf(PAGE), tmp_path)
    assert "Łukasz Nowak" in text
    assert "Siân Davies" in text
    assert "Łódź" in text
    assert "Page 2 of 2" in text  # a long letter runs on, numbered


def test_without_the_font_a_letter_still_comes_out_with_plain_letters(tmp_path: Path) -> None:
    text = pdf_text(letter_pdf(PAGE, font_dir=tmp_path / "no-fonts"), tmp_path)
    assert "Lukasz Nowak" in text
    assert "Siân Davies" in text
    assert "Lódz and Oresund" in text
    assert '"quoted" word - and more.' in text
    assert "??" in text  # what has no Latin-1 form at all


def test_the_logo_is_drawn_and_a_broken_one_is_left_out(tmp_path: Path) -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 94, 184)).save(out, format="PNG")
    with_logo = letter_pdf(LetterPage(**{**PAGE.__dict__, "logo": out.getvalue()}))
    assert b"/Subtype /Image" in with_logo
    broken = letter_pdf(LetterPage(**{**PAGE.__dict__, "logo": b"\x89PNG\r\n\x1a\nrubbish"}))
    assert b"/Subtype /Image" not in broken
    assert "Łukasz Nowak" in pdf_text(broken, tmp_path)
