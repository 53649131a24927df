"""The case file in a real browser (issue 19): HR uploads a witness statement
for HR and the panel, schedules the panel meeting, and each member receives
an invitation whose ``invite.ics`` a calendar reads as that meeting; HR then
generates the invitation letter, which downloads as a PDF whose text
(poppler's ``pdftotext``) names the employee, the case, the meeting's date,
time and place and the right to be accompanied, and records it as sent by
hand. A member who has not declared sees no document; the referring manager
sees none meant for HR and the panel. Every page is checked with axe-core
and photographed for the docs (``DOC_SHOTS``, copied to docs/screenshots/).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from fpdf import FPDF
from icalendar import Calendar
from playwright.sync_api import expect

from audit.models import AuditEvent
from casefile.models import Document
from letters.models import Letter
from panels.services import panel_declare
from workflow.models import Case

from ..notifications.outbox import drain
from ..workflow.steps import Story
from .conftest import DOC_SHOTS
from .people import Browsing, Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LONDON = ZoneInfo("Europe/London")
PDFTOTEXT = Path("/usr/bin/pdftotext")
STATEMENT_TITLE = "Statement of the nurse in charge, 3 November"
PLACE = "Seminar Room 2, Education Centre"


@pytest.fixture(autouse=True)
def _mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FTP_NOTIFICATION_CHANNELS = [
        "notifications.channels.inapp",
        "notifications.channels.email",
    ]


def _statement_pdf(tmp_path: Path) -> Path:
    """A real PDF, as a scanner or Word would make one."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Statement. On 3 November the handover ran late; voices were raised.")
    path = tmp_path / "statement.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def _submit(person: Person, button: str, heading: str) -> None:
    """Submit a form whose answer is a page with the same heading: wait for
    that new page before checking it, not the one the form was on (the
    letter takes a moment to render, and axe would read a page mid-way)."""
    with person.page.expect_navigation():
        person.main.get_by_role("button", name=button, exact=True).click()
    person.arrive(heading, name=f"after {button}")


def _photo(person: Person, name: str) -> None:
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    person.page.screenshot(path=str(DOC_SHOTS / name), full_page=True)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if not PDFTOTEXT.exists():
        pytest.fail("pdftotext not found: apt-get install -y poppler-utils", pytrace=False)
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    done = subprocess.run(  # noqa: S603 - a fixed program on a file of the test's
        [str(PDFTOTEXT), "-layout", str(path), "-"], capture_output=True, check=True, timeout=30
    )
    return " ".join(done.stdout.decode().split())


def _seated(cast: Any) -> list[Any]:
    for user in (cast.hr, cast.manager, *cast.panel):
        user.email = f"{user.username}@trust.example"
        user.save(update_fields=["email"])
    return list(cast.panel)


def test_hr_keeps_the_case_file_and_the_panel_is_invited(
    browsing: Browsing, cast: Any, tmp_path: Path
) -> None:
    members = _seated(cast)
    story = Story(cast, _employee())
    case = story.just_convened()
    # Two members declare no conflict; the third has yet to.
    for member in members[:2]:
        panel_declare(case_id=case.pk, actor=member, no_conflict=True)
    meeting_day = timezone.localdate() + dt.timedelta(days=7)
    starts = dt.datetime.combine(meeting_day, dt.time(10, 30), tzinfo=LONDON)

    # --- HR uploads the statement for HR and the panel ---------------------
    hr = browsing.person(cast.hr).log_in()
    hr.open(f"/cases/{case.pk}/", case.reference, name="case page")
    hr.follow("All documents, and upload one", f"Documents: {case.reference}")
    hr.page.get_by_label("Title").fill(STATEMENT_TITLE)
    hr.page.get_by_label("Kind of document").select_option(label="Statement")
    hr.page.get_by_label("Who may read it").select_option(label="HR and the panel")
    statement = _statement_pdf(tmp_path)
    hr.page.get_by_label("File", exact=True).set_input_files(str(statement))
    _submit(hr, "Upload the document", f"Documents: {case.reference}")
    listed = hr.main.get_by_test_id("documents")
    expect(listed).to_contain_text(STATEMENT_TITLE)
    expect(listed).to_contain_text("Version 1 (current)")
    _photo(hr, "case-documents.png")
    document = Document.objects.get(case=case)
    assert (document.kind, document.audience) == ("statement", "panel")
    assert AuditEvent.objects.filter(case=case, action="document_uploaded").count() == 1

    # --- HR schedules the meeting; the members are invited -----------------
    mail.outbox.clear()
    hr.open(f"/cases/{case.pk}/", case.reference, name="case page, before the meeting")
    card = hr.main.get_by_test_id("panel-meeting")
    card.get_by_label("Starts").fill(f"{meeting_day:%Y-%m-%d}T10:30")
    card.get_by_label("Ends").fill(f"{meeting_day:%Y-%m-%d}T11:30")
    card.get_by_label("Place").fill(PLACE)
    _submit(hr, "Schedule and invite the panel", case.reference)
    expect(hr.main.get_by_test_id("meeting-when")).to_contain_text(
        f"{meeting_day:%-d %B %Y}, 10:30"
    )
    _photo(hr, "panel-meeting.png")
    drain()
    invited = {m.to[0]: m for m in mail.outbox}
    assert {u.email for u in members} <= set(invited)
    for member in members:
        event = _ics_event(invited[member.email])
        assert event["dtstart"].dt == starts.astimezone(dt.UTC)
        assert event["dtend"].dt == (starts + dt.timedelta(hours=1)).astimezone(dt.UTC)
        assert str(event["location"]) == PLACE
        assert case.reference in str(event["summary"])
        assert case.employee_name not in invited[member.email].body
        assert case.employee_name not in str(event.to_ical().decode())

    # --- the letter: generated, read back, recorded as sent -----------------
    hr.open(f"/cases/{case.pk}/letters/", f"Letters: {case.reference}", name="letters")
    hr.page.get_by_label("Letter", exact=True).select_option(label="Invitation to a meeting")
    # The form offers the scheduled meeting.
    expect(hr.page.get_by_label("Meeting date")).to_have_value(f"{meeting_day:%d/%m/%Y}")
    expect(hr.page.get_by_label("Meeting place")).to_have_value(PLACE)
    _submit(hr, "Generate the letter", f"Letters: {case.reference}")
    letter = Letter.objects.get(case=case)
    with hr.page.expect_download() as download:
        hr.main.get_by_test_id("letter-download").first.click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data, tmp_path)
    for expected in (
        case.employee_name,
        case.reference,
        f"{meeting_day:%-d %B %Y}",
        "10:30",
        PLACE,
        "accompanied",
    ):
        assert expected in text, (expected, text)
    assert "White" not in text
    assert "Black" not in text

    letters = hr.main.get_by_test_id("letter")
    letters.first.get_by_text("Record as sent").first.click()
    letters.first.get_by_label("By hand").check()
    _submit(hr, "Record as sent", f"Letters: {case.reference}")
    expect(letters.first.get_by_test_id("letter-sent")).to_contain_text("Sent by hand on")
    _photo(hr, "case-letters.png")
    letter.refresh_from_db()
    assert letter.sent_how == "hand"
    assert AuditEvent.objects.filter(case=case, action="document_downloaded").exists()

    # --- a member who has not declared sees no document ---------------------
    undeclared = browsing.person(members[2]).log_in()
    undeclared.open(f"/cases/{case.pk}/documents/", f"Documents: {case.reference}")
    expect(undeclared.main.get_by_test_id("documents-restricted")).to_be_visible()
    assert STATEMENT_TITLE not in undeclared.text()
    version = document.versions.get(number=1)
    response = undeclared.page.request.get(f"/cases/{case.pk}/documents/{document.pk}/v1/")
    assert response.status == 404
    assert version.sha256  # the file is there: the 404 is the rule, not a missing file

    # --- the referring manager sees nothing meant for HR and the panel -------
    manager = browsing.person(cast.manager).log_in()
    manager.open(f"/cases/{case.pk}/documents/", f"Documents: {case.reference}")
    assert STATEMENT_TITLE not in manager.text()
    assert "Invitation to a meeting" not in manager.text()

    # --- a declared member reads the statement --------------------------------
    member = browsing.person(members[0]).log_in()
    member.open(f"/cases/{case.pk}/documents/", f"Documents: {case.reference}")
    expect(member.main.get_by_test_id("documents")).to_contain_text(STATEMENT_TITLE)
    with member.page.expect_download() as download:
        member.main.get_by_role("link", name="download statement.pdf").click()
    assert Path(download.value.path()).read_bytes() == statement.read_bytes()
    downloads = AuditEvent.objects.filter(case=case, action="document_downloaded")
    assert downloads.filter(actor=members[0]).count() == 1
    assert Case.objects.get(pk=case.pk).stage == "panel"


def _employee() -> Any:
    from ..factories import EmployeeFactory

    return EmployeeFactory(name="Siobhán Ó Ceallaigh")


def _ics_event(message: Any) -> Any:
    parts = [a for a in message.attachments if _name(a) == "invite.ics"]
    assert len(parts) == 1, message.attachments
    content = _content(parts[0])
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _name(attachment: Any) -> str | None:
    if isinstance(attachment, tuple):
        return str(attachment[0])
    return str(attachment.get_filename())


def _content(attachment: Any) -> bytes:
    if isinstance(attachment, tuple):
        content = attachment[1]
    else:
        content = attachment.get_payload(decode=True)
    return content.encode() if isinstance(content, str) else bytes(content)
