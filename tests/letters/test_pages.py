"""The letters card and page: HR generates a letter (the meeting pre-filled
from the panel's next meeting), downloads it as a case document, records it
sent; bad input is a 400 that keeps what was typed; anyone else is refused.
The admin previews a template as a PDF of a made-up case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from letters.models import Letter, LetterTemplate
from panels.meetings import meeting_schedule

from .conftest import pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.date.today() + dt.timedelta(days=3)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(case: Any) -> str:
    return reverse("cases:letters", args=[case.pk])


def _invite(**fields: str) -> dict[str, str]:
    form = {
        "kind": "meeting_invitation",
        "meeting_date": f"{DAY:%d/%m/%Y}",
        "meeting_time": "14:00",
        "meeting_place": "Boardroom",
    }
    return form | fields


def test_hr_generates_downloads_and_records_a_letter_sent(story: Any, tmp_path: Path) -> None:
    case = story.informal()
    hr = _client(story.cast.hr)
    page = hr.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-letters"' in page
    assert 'data-testid="letter-form"' in page
    response = hr.post(_url(case), _invite())
    assert response.status_code == 302, response.content.decode()[:2000]
    letter = Letter.objects.get(case=case)
    page = hr.get(reverse("cases:detail", args=[case.pk])).content.decode()
    download = reverse("cases:document_download", args=[case.pk, letter.document_id, 1])
    assert download in page
    assert 'data-testid="letter-sent-form"' in page
    pdf = hr.get(download)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(pdf.getvalue(), tmp_path)
    assert case.employee_name in text
    assert "Boardroom" in text
    assert "14:00" in text
    sent = hr.post(
        reverse("cases:letter_sent", args=[case.pk, letter.pk]),
        {f"s{letter.pk}-sent_on": f"{timezone.localdate():%d/%m/%Y}", f"s{letter.pk}-how": "email"},
    )
    assert sent.status_code == 302
    letter.refresh_from_db()
    assert letter.sent_how == "email"
    listing = hr.get(_url(case)).content.decode()
    assert 'data-testid="letter-sent"' in listing
    assert "Sent by email on" in listing


def test_bad_input_is_a_400_naming_the_fault_and_keeping_what_was_typed(story: Any) -> None:
    case = story.informal()
    hr = _client(story.cast.hr)
    response = hr.post(_url(case), _invite(meeting_date="", meeting_place="The Qzx room"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the meeting&#x27;s date." in body
    assert "The Qzx room" in body
    refused = hr.post(_url(case), {"kind": "panel_outcome"})
    assert refused.status_code == 409
    assert "has not decided this case yet" in refused.content.decode()
    assert hr.post(_url(case), {"kind": "nonsense"}).status_code == 400
    hr.post(_url(case), _invite())
    letter = Letter.objects.get()
    future = f"{timezone.localdate() + dt.timedelta(days=2):%d/%m/%Y}"
    response = hr.post(
        reverse("cases:letter_sent", args=[case.pk, letter.pk]),
        {f"s{letter.pk}-sent_on": future, f"s{letter.pk}-how": "hand"},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    letter.refresh_from_db()
    assert letter.sent_on is None


def test_the_invitation_is_prefilled_from_the_panels_next_meeting(story: Any) -> None:
    case = story.convened()
    starts = timezone.make_aware(dt.datetime.combine(DAY, dt.time(9, 45)))
    meeting_schedule(
        case_id=case.pk,
        actor=story.cast.hr,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        place="Seminar room 2",
    )
    body = _client(story.cast.hr).get(_url(case)).content.decode()
    assert f'value="{DAY:%d/%m/%Y}"' in body
    assert 'value="09:45"' in body
    assert 'value="Seminar room 2"' in body


def test_only_hr_on_the_case_reaches_its_letters(story: Any) -> None:
    case = story.informal()
    _client(story.cast.hr).post(_url(case), _invite())
    letter = Letter.objects.get()
    sent_url = reverse("cases:letter_sent", args=[case.pk, letter.pk])
    form = {
        f"s{letter.pk}-sent_on": f"{timezone.localdate():%d/%m/%Y}",
        f"s{letter.pk}-how": "hand",
    }
    for person, status in ((story.cast.manager, 403), (story.cast.outsider, 404)):
        client = _client(person)
        assert client.get(_url(case)).status_code == status
        assert client.post(_url(case), _invite()).status_code == status
        assert client.post(sent_url, form).status_code == status
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert 'data-testid="case-letters"' not in page.content.decode()
    assert Letter.objects.count() == 1
    assert not AuditEvent.objects.filter(action="letter_sent").exists()


def test_the_admin_previews_a_template_as_a_pdf_of_a_made_up_case(
    cast: Any, tmp_path: Path
) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-Root-2026!")
    template = LetterTemplate.objects.get(kind="meeting_invitation")
    client = _client(admin)
    change = client.get(reverse("admin:letters_lettertemplate_change", args=[template.pk]))
    assert change.status_code == 200
    assert "{meeting_place}" in change.content.decode()
    preview = client.get(reverse("admin:letters_lettertemplate_preview", args=[template.pk]))
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= set(preview["Cache-Control"].split(", "))
    text = pdf_text(preview.content, tmp_path)
    assert "Siobhán Ó Ceallaigh" in text
    assert "SAMPLE-2026-0001" in text
    bad = client.post(
        reverse("admin:letters_lettertemplate_change", args=[template.pk]),
        {"title": "Invite", "subject": "Invitation", "body": "Dear {employee_name} {outcome}"},
    )
    assert bad.status_code == 200
    assert "{outcome} cannot be used in the invitation to a meeting letter" in bad.content.decode()
    template.refresh_from_db()
    assert "{outcome}" not in template.body
    assert (
        _client(cast.hr)
        .get(reverse("admin:letters_lettertemplate_preview", args=[template.pk]))
        .status_code
        == 302
    )  # not a staff login: the admin's own login page
