"""The RAG grid: questions x ICSUs for a quarter, each cell its rating in
words with the trend of the quarters before, and per ICSU a count of each
rating per quarter."""

from __future__ import annotations

from assurance.models import QuestionSet
from assurance.quarters import Quarter
from assurance.selectors import latest_answered_quarter, rag_grid

from .conftest import Q1, add_question, answer


def test_each_cell_has_its_rating_and_trend(cast, icsus):
    first = add_question(cast, "First")
    second = add_question(cast, "Second")
    other_set = add_question(cast, "Inclusion", question_set=QuestionSet.INCLUSION.value)
    med, sur = icsus["med"], icsus["sur"]
    answer(cast, first, med, Quarter(2024, 3), "not_met")
    answer(cast, first, med, Quarter(2024, 4), "partly")
    answer(cast, first, med, Q1, "met")
    answer(cast, second, sur, Q1, "not_met")
    answer(cast, other_set, med, Q1, "met")
    answer(cast, first, med, Quarter(2025, 2), "not_met")  # after: not in Q1's grid

    grid = rag_grid(QuestionSet.WRES3.value, Q1)
    assert grid.quarters == [*Q1.previous(4), Q1]
    assert [u.code for u in grid.units] == ["ICSU-MED", "ICSU-SUR"]
    cells = {
        (row.question.pk, cell.unit.code): (cell.mark.label, [m.short for m in cell.trend])
        for row in grid.rows
        for cell in row.cells
    }
    assert cells == {
        (first.pk, "ICSU-MED"): ("Met", ["\u2013", "\u2013", "N", "P"]),
        (first.pk, "ICSU-SUR"): ("Not answered", ["\u2013"] * 4),
        (second.pk, "ICSU-MED"): ("Not answered", ["\u2013"] * 4),
        (second.pk, "ICSU-SUR"): ("Not met", ["\u2013"] * 4),
    }
    colours = [cell.mark.colour for row in grid.rows for cell in row.cells]
    assert colours == ["green", "grey", "grey", "red"]
    med_summary = {str(q): t for q, t in grid.summaries[0].by_quarter}
    assert med_summary["2025/26 Q1"].met == 1
    assert med_summary["2025/26 Q1"].unanswered == 1
    assert med_summary["2024/25 Q3"].not_met == 1
    assert latest_answered_quarter() == Quarter(2025, 2)


def test_a_quarter_with_no_answers_is_all_grey(cast, icsus):
    add_question(cast, "First")
    grid = rag_grid(QuestionSet.WRES3.value, Quarter(2030, 4))
    assert {cell.mark.label for row in grid.rows for cell in row.cells} == {"Not answered"}
    assert all(t.unanswered == 1 for s in grid.summaries for _, t in s.by_quarter)


def test_the_grid_reads_a_fixed_number_of_queries(cast, icsus, django_assert_max_num_queries):
    questions = [add_question(cast, f"Question {n}") for n in range(6)]
    for q in questions:
        for unit in icsus.values():
            answer(cast, q, unit)
    with django_assert_max_num_queries(6):
        grid = rag_grid(QuestionSet.WRES3.value, Q1)
        assert [c.answer.version.number for r in grid.rows for c in r.cells if c.answer]
