"""Questions the trust edits: versioned, so old answers keep their wording;
retired, so new quarters do not ask them; seeded with a starting set."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from assurance.models import Answer, Question, QuestionSet, QuestionVersion
from assurance.quarters import Quarter
from assurance.seed import STARTING_QUESTIONS
from assurance.selectors import current_version, question_get, rag_grid
from assurance.services import (
    question_add,
    question_retire,
    question_revise,
    questions_seed,
)
from audit.models import AuditEvent
from core.errors import NotAllowed, ValidationFailed

from .conftest import Q1, add_question, answer

OLD = "Every referral is tried informally first."
NEW = "Every proposed referral is first considered for informal resolution."


def test_rewording_makes_a_new_version_and_old_answers_keep_their_words(cast, icsus):
    question = add_question(cast, OLD)
    before = answer(cast, question, icsus["med"])
    question_revise(actor=cast.hr, question_id=question.pk, text=NEW, guidance="Records.")
    after = answer(cast, question, icsus["sur"])

    question = question_get(question.pk)
    assert question is not None
    assert [v.text for v in question.versions.all()] == [OLD, NEW]
    assert current_version(question).number == 2
    before.refresh_from_db()
    assert before.version.number == 1
    assert before.version.text == OLD
    assert after.version.text == NEW
    # Changing the old answer keeps the version it answered.
    changed = answer(cast, question, icsus["med"], rating="partly")
    assert changed.pk == before.pk
    assert changed.version.text == OLD


def test_the_grid_says_which_cells_answered_older_words(cast, icsus):
    question = add_question(cast, OLD)
    answer(cast, question, icsus["med"])
    question_revise(actor=cast.hr, question_id=question.pk, text=NEW)
    answer(cast, question, icsus["sur"])
    (row,) = rag_grid(QuestionSet.WRES3.value, Q1).rows
    assert row.wording.text == NEW
    assert [c.older_wording for c in row.cells] == [1, None]


def test_a_version_once_written_is_never_changed(cast):
    question = add_question(cast, OLD)
    version = QuestionVersion.objects.get(question=question)
    with pytest.raises(DatabaseError), transaction.atomic():
        QuestionVersion.objects.filter(pk=version.pk).update(text="Rewritten in place")
    with pytest.raises(DatabaseError), transaction.atomic():
        QuestionVersion.objects.filter(pk=version.pk).delete()
    assert QuestionVersion.objects.get(pk=version.pk).text == OLD


def test_saving_the_same_words_makes_no_version(cast):
    question = add_question(cast, OLD)
    with pytest.raises(ValidationFailed) as exc:
        question_revise(actor=cast.hr, question_id=question.pk, text=f"  {OLD} ")
    assert exc.value.errors == {"text": ["Nothing was changed."]}
    assert QuestionVersion.objects.filter(question=question).count() == 1


def test_moving_a_question_makes_no_version(cast):
    question = add_question(cast, OLD)
    add_question(cast, "Second")
    question_revise(actor=cast.hr, question_id=question.pk, text=OLD, position=5)
    question.refresh_from_db()
    assert question.position == 5
    assert question.versions.count() == 1


def test_a_question_needs_words(cast):
    with pytest.raises(ValidationFailed) as exc:
        add_question(cast, "   ")
    assert "text" in exc.value.errors


def test_only_hr_edits_questions(cast):
    question = add_question(cast, OLD)
    for person in (cast.director, cast.governance, cast.manager, cast.outsider):
        with pytest.raises(NotAllowed):
            question_add(actor=person, question_set="wres3", text=OLD)
        with pytest.raises(NotAllowed):
            question_revise(actor=person, question_id=question.pk, text=NEW)
        with pytest.raises(NotAllowed):
            question_retire(actor=person, question_id=question.pk)


def test_a_retired_question_is_not_asked_in_later_quarters(cast, icsus, time_machine):
    time_machine.move_to("2025-05-10 12:00")
    kept = add_question(cast, "Kept")
    retired = add_question(cast, "Retired")
    answer(cast, retired, icsus["med"])
    question_retire(actor=cast.hr, question_id=retired.pk)

    q1 = rag_grid(QuestionSet.WRES3.value, Q1)
    q2 = rag_grid(QuestionSet.WRES3.value, Quarter(2025, 2))
    assert [r.question.pk for r in q1.rows] == [kept.pk, retired.pk]  # still this quarter's
    assert [r.question.pk for r in q2.rows] == [kept.pk]
    with pytest.raises(ValidationFailed, match="Please correct"):
        answer(cast, retired, icsus["med"], quarter=Quarter(2025, 2))
    assert Answer.objects.filter(question=retired).count() == 1
    # Brought back, it is asked again.
    question_retire(actor=cast.hr, question_id=retired.pk, retire=False)
    assert len(rag_grid(QuestionSet.WRES3.value, Quarter(2025, 2)).rows) == 2


def test_the_starting_questions_are_added_once(cast):
    assert questions_seed(actor=cast.hr, question_set=QuestionSet.WRES3.value) == len(
        STARTING_QUESTIONS["wres3"]
    )
    assert questions_seed(actor=cast.hr, question_set=QuestionSet.WRES3.value) == 0
    assert questions_seed(actor=None, question_set=QuestionSet.INCLUSION.value) == len(
        STARTING_QUESTIONS["inclusion"]
    )
    wres = Question.objects.filter(question_set="wres3").order_by("position")
    assert [q.position for q in wres] == list(range(1, len(STARTING_QUESTIONS["wres3"]) + 1))
    texts = [current_version(q).text for q in wres]
    assert any("Fair Treatment Panel" in t for t in texts)
    assert any("informal" in t for t in texts)
    assert any("signs off" in t for t in texts)


def test_each_change_is_in_the_audit_log(cast, icsus):
    question = add_question(cast, OLD)
    question_revise(actor=cast.hr, question_id=question.pk, text=NEW)
    question_retire(actor=cast.hr, question_id=question.pk)
    answer(cast, question, icsus["med"])
    actions = list(
        AuditEvent.objects.filter(action__startswith="assurance_")
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("assurance_question_added", cast.hr.pk),
        ("assurance_question_revised", cast.hr.pk),
        ("assurance_question_retired", cast.hr.pk),
        ("assurance_answer_saved", cast.hr.pk),
    ]


def test_the_seed_command_fills_each_empty_set(db):
    out = StringIO()
    call_command("seed_self_assessment", stdout=out)
    assert out.getvalue() == (
        "WRES indicator 3 organisation self-assessment: 10 questions added.\n"
        "Team inclusion checklist: 7 questions added.\n"
    )
    out = StringIO()
    call_command("seed_self_assessment", stdout=out)
    assert "0 questions added" in out.getvalue()
