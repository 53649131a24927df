"""Case notes: HR and the case's owner add dated notes, private to HR unless
chosen otherwise; a correction is a new note and both are kept; the
database refuses to change or remove a note until the case file is
destroyed; each reader reads only the notes their audience allows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, EventType
from casefile.models import NOTE_TEXT_MAX, CaseNote
from casefile.note_selectors import HR_NOTES_SHOWN, notes_for, notes_page
from casefile.notes import NoteEvent, note_add, note_correct
from core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from panels.services import panel_declare
from records.retention import case_destroy
from workflow.access import FileVisible
from workflow.models import Case

from ..records.world import LATER, at
from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

HR_TEXT = "Wx9 HR only: the employee mentioned a health condition on the phone."
PANEL_TEXT = "Wx9 for the panel: the rota for the week is attached."
CASE_TEXT = "Wx9 for everyone: the meeting moved to Thursday."


def _three_notes(story: Story, case):
    hr = story.cast.hr
    return (
        note_add(case_id=case.pk, actor=hr, text=HR_TEXT),
        note_add(case_id=case.pk, actor=hr, text=PANEL_TEXT, audience="panel"),
        note_add(case_id=case.pk, actor=hr, text=CASE_TEXT, audience="case"),
    )


def _texts(user, case) -> set[str]:
    return {n.text for n in notes_for(user, case)}


def test_a_note_is_hr_only_unless_chosen_otherwise_and_audited_without_its_text(story):
    case = story.informal()
    note = note_add(case_id=case.pk, actor=story.cast.hr, text=f"  {HR_TEXT}\n")
    assert note.audience == "hr"
    assert note.text == HR_TEXT
    assert note.author == story.cast.hr
    assert abs((note.written_at - timezone.now()).total_seconds()) < 60
    event = AuditEvent.objects.get(action=NoteEvent.ADDED)
    assert event.case_id == case.pk
    assert event.actor == story.cast.hr
    assert event.payload["note"] == note.pk
    assert event.payload["text_sha256"] == hashlib.sha256(HR_TEXT.encode()).hexdigest()
    # The log is read by decision-makers and exported: the text is never in it.
    assert "Wx9" not in json.dumps(event.payload) + event.reason


def test_each_reader_reads_only_the_notes_their_audience_allows(story):
    cast = story.cast
    case = story.just_convened()  # panel_a, b and c yet to declare
    _three_notes(story, case)
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    assert _texts(cast.hr, case) == {HR_TEXT, PANEL_TEXT, CASE_TEXT}
    # The referring manager: notes for everyone on the case, nothing private.
    assert _texts(cast.manager, case) == {CASE_TEXT}
    # A member cleared of conflicts, and the decision-maker who may sign off: the panel's too.
    assert _texts(cast.panel_b, case) == {PANEL_TEXT, CASE_TEXT}
    assert _texts(cast.director, case) == {PANEL_TEXT, CASE_TEXT}
    # A member yet to declare reads nothing at all; nor does anyone off the case.
    assert _texts(cast.panel_a, case) == set()
    assert _texts(cast.other_manager, case) == set()
    assert _texts(cast.governance, case) == set()


def test_only_hr_on_the_case_or_its_owner_may_write(story, extras):
    cast = story.cast
    case = story.informal()
    with pytest.raises(NotAllowed):
        note_add(case_id=case.pk, actor=cast.manager, text="Mine", audience="case")
    with pytest.raises(NotAllowed):
        note_add(case_id=case.pk, actor=cast.director, text="Mine", audience="case")
    with pytest.raises(NotFound):  # may not see the case at all
        note_add(case_id=case.pk, actor=cast.other_manager, text="Mine", audience="case")
    # An HR adviser who referred the case is its manager there.
    own = story.informal(manager=extras.manager_hr)
    with pytest.raises(NotAllowed):
        note_add(case_id=own.pk, actor=extras.manager_hr, text="Mine", audience="case")
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"text": "   "}, "text", "Write the note."),
        ({"text": "x" * (NOTE_TEXT_MAX + 1)}, "text", "5,000 characters"),
        ({"text": "a\x00b"}, "text", "control characters"),
        ({"audience": "everyone"}, "audience", "Choose who may read the note."),
        ({"about_date": dt.date.today() + dt.timedelta(days=2)}, "about_date", "not happened"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(story, kwargs, field, message):
    case = story.informal()
    args = {"text": "A note.", **kwargs}
    with pytest.raises(ValidationFailed) as raised:
        note_add(case_id=case.pk, actor=story.cast.hr, **args)
    assert message in " ".join(raised.value.errors[field])
    assert not CaseNote.objects.exists()
    assert not AuditEvent.objects.filter(action=NoteEvent.ADDED).exists()


def test_a_note_may_be_about_an_earlier_day_and_up_to_the_limit(story):
    case = story.informal()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    note = note_add(
        case_id=case.pk, actor=story.cast.hr, text="y" * NOTE_TEXT_MAX, about_date=yesterday
    )
    assert note.about_date == yesterday


def test_a_correction_is_a_new_note_and_both_are_kept(story):
    hr = story.cast.hr
    case = story.informal()
    old = note_add(case_id=case.pk, actor=hr, text="Call on Monday.", audience="case")
    new = note_correct(
        case_id=case.pk, note_id=old.pk, actor=hr, text="Call on Tuesday.", reason="Wrong day."
    )
    assert new.corrects == old
    assert new.audience == "case"
    assert new.reason == "Wrong day."
    assert CaseNote.objects.get(pk=old.pk).text == "Call on Monday."
    page = notes_page(story.cast.manager, case, cursor=None, size=10)
    by_id = {row.id: row for row in page}
    assert by_id[old.pk].correction is not None
    assert by_id[old.pk].correction.note_id == new.pk
    assert by_id[new.pk].corrects_id == old.pk
    event = AuditEvent.objects.get(action=NoteEvent.CORRECTED)
    assert event.payload["corrects"] == old.pk
    assert "Tuesday" not in json.dumps(event.payload)
    assert "Wrong day" not in event.reason
    # Corrected once; a further correction corrects the correction.
    with pytest.raises(Conflict):
        note_correct(case_id=case.pk, note_id=old.pk, actor=hr, text="Wed.", reason="Again.")
    again = note_correct(case_id=case.pk, note_id=new.pk, actor=hr, text="Wed.", reason="Again.")
    assert again.corrects == new


def test_a_correction_may_be_narrower_never_wider(story):
    hr, manager = story.cast.hr, story.cast.manager
    case = story.informal()
    private = note_add(case_id=case.pk, actor=hr, text="Private.")
    with pytest.raises(ValidationFailed) as raised:
        note_correct(
            case_id=case.pk,
            note_id=private.pk,
            actor=hr,
            text="Now shared.",
            reason="Share it.",
            audience="case",
        )
    assert "more widely" in raised.value.errors["audience"][0]
    shared = note_add(case_id=case.pk, actor=hr, text="Shared detail.", audience="case")
    narrower = note_correct(
        case_id=case.pk,
        note_id=shared.pk,
        actor=hr,
        text="HR detail.",
        reason="Too much said.",
        audience="hr",
    )
    # The manager still reads the old note, and that it was corrected, but not the correction.
    rows = {row.id: row for row in notes_page(manager, case, cursor=None, size=10)}
    assert narrower.pk not in rows
    correction = rows[shared.pk].correction
    assert correction is not None
    assert correction.note_id is None
    assert correction.author_name


def test_correcting_a_note_of_another_case_or_unseen_is_a_404(story):
    hr = story.cast.hr
    case, other = story.informal(), story.informal()
    note = note_add(case_id=other.pk, actor=hr, text="Elsewhere.")
    with pytest.raises(NotFound):
        note_correct(case_id=case.pk, note_id=note.pk, actor=hr, text="x", reason="y")
    with pytest.raises(NotFound):
        note_correct(case_id=case.pk, note_id=987_654, actor=hr, text="x", reason="y")


def test_the_database_refuses_to_change_or_remove_a_note(story):
    case = story.informal()
    note = note_add(case_id=case.pk, actor=story.cast.hr, text="Kept as written.")
    for statement in (
        "UPDATE casefile_casenote SET text = 'changed' WHERE id = %s",
        "DELETE FROM casefile_casenote WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [note.pk])
    assert CaseNote.objects.get(pk=note.pk).text == "Kept as written."
    # The model says so before the database does.
    with pytest.raises(ValueError, match="never changed"):
        note.save()
    with pytest.raises(ValueError, match="whole case file"):
        note.delete()


def test_destroying_the_case_file_removes_its_notes_and_counts_them(story):
    with at(2024, 5, 2):
        case = story.closed()
        first = note_add(case_id=case.pk, actor=story.cast.hr, text="Before destruction.")
        note_correct(
            case_id=case.pk, note_id=first.pk, actor=story.cast.hr, text="Fixed.", reason="Typo."
        )
    kept = story.informal()
    note_add(case_id=kept.pk, actor=story.cast.hr, text="Another case's note.")
    with at(LATER.year, LATER.month, LATER.day):
        case_destroy(
            case_id=case.pk, actor=story.cast.hr, reference=case.reference, reason="Schedule."
        )
    assert not CaseNote.objects.filter(case=case).exists()
    assert CaseNote.objects.filter(case=kept).count() == 1
    event = AuditEvent.objects.get(action=EventType.CASE_DESTROYED)
    assert event.payload["removed"]["case_notes"] == 2


def test_a_page_showing_hr_only_notes_is_recorded_as_a_showing(story):
    cast = story.cast
    case = story.informal()
    _three_notes(story, case)
    shown = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY, case=case)
    notes_page(cast.manager, case, cursor=None, size=10)
    assert not shown.exists()  # the manager read no HR-only note
    notes_page(cast.hr, case, cursor=None, size=10)
    event = shown.get()
    assert event.actor == cast.hr
    assert event.payload["field"] == HR_NOTES_SHOWN


def test_notes_page_newest_first_by_keyset(story):
    case = story.informal()
    notes = [note_add(case_id=case.pk, actor=story.cast.hr, text=f"Note {i}") for i in range(5)]
    first = notes_page(story.cast.hr, case, cursor=None, size=2)
    assert [r.id for r in first] == [notes[4].pk, notes[3].pk]
    from core.paging import Cursor

    assert first.older is not None
    second = notes_page(story.cast.hr, case, cursor=Cursor.decode(first.older), size=2)
    assert [r.id for r in second] == [notes[2].pk, notes[1].pk]


def test_the_list_and_the_rule_agree_for_everyone_in_the_story(story, extras):
    """``notes_for`` (the rule's query form) lists exactly the notes the
    rule's Python form allows, for each of the cast and the combined roles."""
    cast = story.cast
    case = story.just_convened(manager=extras.manager_dm)
    notes = _three_notes(story, case)
    panel_declare(case_id=case.pk, actor=cast.panel_b, no_conflict=True)
    panel_declare(case_id=case.pk, actor=cast.panel_c, no_conflict=False, reason="I know her.")
    people = [
        *(getattr(cast, n) for n in cast.__dataclass_fields__),
        *(getattr(extras, n) for n in extras.__dataclass_fields__),
    ]
    fresh = Case.objects.get(pk=case.pk)
    for person in people:
        listed = set(notes_for(person, fresh).values_list("pk", flat=True))
        allowed = {n.pk for n in notes if FileVisible.allows(person, fresh, n.audience)}
        assert listed == allowed, person.username
