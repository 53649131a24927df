"""The case notes pages: HR adds and corrects notes; a referring manager
reads only the notes for everyone on the case, on the notes page and the
case page; a panel member yet to declare reads none; a refused form comes
back with what was typed and why."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from casefile.models import CaseNote
from casefile.notes import note_add
from web import case_notes

from ..workflow.steps import Story
from .pages import login

PRIVATE = "Wq7 HR only: occupational health advised a phased return."
SHARED = "Wq7 for everyone: the meeting moved to Thursday."


def notes_url(case) -> str:
    return reverse("cases:notes", args=[case.pk])


def with_notes(story: Story):
    case = story.just_convened()
    note_add(case_id=case.pk, actor=story.cast.hr, text=PRIVATE)
    note_add(case_id=case.pk, actor=story.cast.hr, text=SHARED, audience="case")
    return case


def test_hr_adds_a_note_and_reads_it_on_both_pages(client: Client, story):
    case = story.informal()
    login(client, story.cast.hr)
    blank = client.get(notes_url(case)).content.decode()
    assert 'data-testid="note-form"' in blank
    assert '<option value="hr" selected>HR only</option>' in blank
    response = client.post(notes_url(case), {"text": PRIVATE, "audience": "hr"})
    assert response.status_code == 302
    assert response["Location"] == notes_url(case)
    assert PRIVATE in client.get(notes_url(case)).content.decode()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-notes"' in page
    assert PRIVATE in page


def test_a_manager_reads_notes_for_everyone_but_none_for_hr_only(client: Client, story):
    case = with_notes(story)
    login(client, story.cast.manager)
    for url in (notes_url(case), reverse("cases:detail", args=[case.pk])):
        body = client.get(url).content.decode()
        assert SHARED in body
        assert PRIVATE not in body
    assert 'data-testid="note-form"' not in client.get(notes_url(case)).content.decode()
    refused = client.post(notes_url(case), {"text": "Mine.", "audience": "case"})
    assert refused.status_code == 403
    assert CaseNote.objects.count() == 2


def test_a_panel_member_yet_to_declare_reads_no_note(client: Client, story):
    case = with_notes(story)
    login(client, story.cast.panel_a)
    body = client.get(notes_url(case)).content.decode()
    assert 'data-testid="notes-restricted"' in body
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for text in (PRIVATE, SHARED):
        assert text not in body
        assert text not in detail


def test_someone_off_the_case_gets_a_404(client: Client, story):
    case = with_notes(story)
    login(client, story.cast.other_manager)
    assert client.get(notes_url(case)).status_code == 404
    assert client.post(notes_url(case), {"text": "x", "audience": "hr"}).status_code == 404


def test_bad_input_is_a_400_with_the_message_and_the_typed_text_kept(client: Client, story):
    case = story.informal()
    login(client, story.cast.hr)
    long_text = "Wq7 long " + "x" * 5000
    response = client.post(notes_url(case), {"text": long_text, "audience": "case"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Keep a note to 5,000 characters" in body
    assert long_text in body
    assert '<option value="case" selected>' in body
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(
        notes_url(case), {"text": "Wq7 call", "audience": "hr", "about_date": tomorrow}
    )
    assert response.status_code == 400
    assert "has not happened yet" in response.content.decode()
    assert "Wq7 call" in response.content.decode()
    empty = client.post(notes_url(case), {"text": "", "audience": "hr"})
    assert empty.status_code == 400
    assert "Write the note." in empty.content.decode()
    assert not CaseNote.objects.exists()


def test_a_correction_keeps_both_and_the_old_one_struck_through(client: Client, story):
    case = story.informal()
    old = note_add(case_id=case.pk, actor=story.cast.hr, text="Wq7 Monday.", audience="case")
    login(client, story.cast.hr)
    prefix = f"c{old.pk}"
    form = {"corrects": str(old.pk), f"{prefix}-text": "Wq7 Tuesday."}
    missing_reason = client.post(notes_url(case), form)
    assert missing_reason.status_code == 400
    body = missing_reason.content.decode()
    assert "Say why the note is being corrected." in body
    assert "Wq7 Tuesday." in body  # what was typed comes back
    assert "<details open" in body
    done = client.post(notes_url(case), {**form, f"{prefix}-reason": "Wrong day."})
    assert done.status_code == 302
    new = CaseNote.objects.get(corrects=old)
    login(client, story.cast.manager)
    body = client.get(notes_url(case)).content.decode()
    assert '<del style="white-space: pre-line" data-testid="note-text">Wq7 Monday.</del>' in body
    assert f'Corrected by <a href="#note-{new.pk}">note {new.pk}</a>' in body
    assert "Wq7 Tuesday." in body


def test_correcting_an_unknown_note_is_a_404(client: Client, story):
    case = story.informal()
    other = story.informal()
    elsewhere = note_add(case_id=other.pk, actor=story.cast.hr, text="Elsewhere.")
    login(client, story.cast.hr)
    for corrects in (str(elsewhere.pk), "987654", "abc"):
        response = client.post(
            notes_url(case),
            {"corrects": corrects, f"c{corrects}-text": "x", f"c{corrects}-reason": "y"},
        )
        assert response.status_code == 404


def test_the_list_pages_and_a_damaged_cursor_is_a_400(client: Client, story, monkeypatch):
    case = story.informal()
    for i in range(3):
        note_add(case_id=case.pk, actor=story.cast.hr, text=f"Wq7 note {i}")
    monkeypatch.setattr(case_notes, "PAGE_SIZE", 2)
    login(client, story.cast.hr)
    first = client.get(notes_url(case)).content.decode()
    assert "Wq7 note 2" in first
    assert "Wq7 note 0" not in first
    older = first.split("cursor=")[1].split('"')[0]
    second = client.get(f"{notes_url(case)}?cursor={older}").content.decode()
    assert "Wq7 note 0" in second
    assert client.get(notes_url(case) + "?cursor=%00zz").status_code == 400


def test_no_note_text_reaches_the_audit_log(client: Client, story):
    case = story.informal()
    login(client, story.cast.hr)
    client.post(notes_url(case), {"text": PRIVATE, "audience": "hr"})
    client.get(notes_url(case))
    events = AuditEvent.objects.filter(case=case)
    assert events.filter(action="case_note_added").exists()
    for event in events:
        assert "Wq7" not in event.reason + json.dumps(event.payload)
