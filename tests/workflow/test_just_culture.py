"""The just culture guide's letter, checked against its table for every kind of answer set.

Steps run in order and stop at the first route out:

    1  1a yes -> A
    2  2a yes -> B; 2b or 2c yes -> C
    3  any no -> D; all yes -> step 4
    4  any yes -> E; all no -> step 5
    5  5a yes -> F; no -> G

An answer the deciding path needs but lacks gives None (no letter yet).
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from workflow.just_culture import JustCultureAnswers, JustCultureOutcome, just_culture_outcome

NAMES = JustCultureAnswers.names()
STEPS = [["q1a"], ["q2a", "q2b", "q2c"], ["q3a", "q3b", "q3c"], ["q4a", "q4b", "q4c"], ["q5a"]]
A, B, C, D, E, F, G = (JustCultureOutcome(x) for x in "ABCDEFG")

answer = st.sampled_from([True, False, None])
answers = st.builds(JustCultureAnswers, **{n: answer for n in NAMES})
complete = st.builds(JustCultureAnswers, **{n: st.booleans() for n in NAMES})


def reference(a: JustCultureAnswers) -> JustCultureOutcome | None:
    """The table above, written the long way: a result only when it is certain."""
    if a.q1a is True:
        return A
    if a.q1a is None:
        return None
    if a.q2a is True:
        return B
    if a.q2a is None:
        # Substance abuse would route to B before ill health routes to C.
        return None
    if a.q2b is True or a.q2c is True:
        return C
    if None in (a.q2b, a.q2c):
        return None
    step3 = (a.q3a, a.q3b, a.q3c)
    if False in step3:
        return D
    if None in step3:
        return None
    step4 = (a.q4a, a.q4b, a.q4c)
    if True in step4:
        return E
    if None in step4:
        return None
    if a.q5a is None:
        return None
    return F if a.q5a else G


@given(answers)
def test_matches_the_table(a: JustCultureAnswers) -> None:
    assert just_culture_outcome(a) == reference(a)


@given(complete)
def test_a_complete_set_of_answers_always_gives_a_letter(a: JustCultureAnswers) -> None:
    assert just_culture_outcome(a) is not None


@given(answers)
def test_answering_a_missing_question_never_changes_a_letter(a: JustCultureAnswers) -> None:
    """A letter is given only when no missing answer could change it."""
    result = just_culture_outcome(a)
    if result is None:
        return
    for name in (n for n in NAMES if getattr(a, n) is None):
        for value in (True, False):
            assert just_culture_outcome(replace(a, **{name: value})) == result, (name, value)


# The step at which each letter is decided.
STEP_OF = {A: 0, B: 1, C: 1, D: 2, E: 3, F: 4, G: 4}


@given(answers, st.data())
def test_answers_after_the_deciding_step_never_change_the_result(
    a: JustCultureAnswers, data: st.DataObject
) -> None:
    result = just_culture_outcome(a)
    if result is None:
        return
    later = [n for step in STEPS[STEP_OF[result] + 1 :] for n in step]
    changed = replace(a, **{n: data.draw(answer, label=n) for n in later})
    assert just_culture_outcome(changed) == result


@given(answers)
def test_deliberate_harm_is_always_a(a: JustCultureAnswers) -> None:
    assert just_culture_outcome(replace(a, q1a=True)) == A


@given(answers)
def test_substance_abuse_is_b_once_harm_is_ruled_out(a: JustCultureAnswers) -> None:
    assert just_culture_outcome(replace(a, q1a=False, q2a=True)) == B


@given(answers, st.sampled_from(["q2b", "q2c"]))
def test_ill_health_is_c_once_harm_and_substance_abuse_are_ruled_out(
    a: JustCultureAnswers, which: str
) -> None:
    assert just_culture_outcome(replace(a, q1a=False, q2a=False, **{which: True})) == C


HEALTHY = {"q1a": False, "q2a": False, "q2b": False, "q2c": False}


@given(answers, st.sampled_from(STEPS[2]))
def test_any_no_at_step_3_is_d(a: JustCultureAnswers, which: str) -> None:
    assert just_culture_outcome(replace(a, **HEALTHY, **{which: False})) == D


FORESEEN = {**HEALTHY, "q3a": True, "q3b": True, "q3c": True}


@given(answers, st.sampled_from(STEPS[3]))
def test_any_yes_at_step_4_is_e(a: JustCultureAnswers, which: str) -> None:
    assert just_culture_outcome(replace(a, **FORESEEN, **{which: True})) == E


@given(st.booleans())
def test_step_5_decides_between_f_and_g(mitigation: bool) -> None:
    a = JustCultureAnswers(**FORESEEN, q4a=False, q4b=False, q4c=False, q5a=mitigation)
    assert just_culture_outcome(a) == (F if mitigation else G)


def test_nothing_answered_gives_no_letter() -> None:
    assert just_culture_outcome(JustCultureAnswers()) is None


def test_ill_health_waits_for_the_substance_abuse_answer() -> None:
    # 2a decides before 2b/2c: without it, the letter could be B or C.
    a = JustCultureAnswers(q1a=False, q2b=True)
    assert just_culture_outcome(a) is None
    assert just_culture_outcome(replace(a, q2a=True)) == B
    assert just_culture_outcome(replace(a, q2a=False)) == C
