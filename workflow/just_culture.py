"""NHS "A just culture guide" (2018) as a checklist.

The guide is advice to the panel, never a decision: the letter it gives is
shown beside the case. Steps are taken in order and stop at the first route
out, so later questions need no answer once an earlier one decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields


class JustCultureOutcome(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"

    @property
    def advice(self) -> str:
        return ADVICE[self]


ADVICE = {
    JustCultureOutcome.A: "Deliberate harm: follow organisational guidance "
    "(regulator, police, disciplinary).",
    JustCultureOutcome.B: "Substance abuse: follow substance-misuse guidance.",
    JustCultureOutcome.C: "Ill health: follow health and occupational health guidance.",
    JustCultureOutcome.D: "Foresight: singling out the individual is unlikely to be "
    "appropriate; look for a system failure.",
    JustCultureOutcome.E: "Substitution: singling out the individual is unlikely to be "
    "appropriate; look for a system failure.",
    JustCultureOutcome.F: "Significant mitigation: action against the individual may be "
    "inappropriate; take senior HR advice.",
    JustCultureOutcome.G: "Graduated action may be appropriate, alongside wider system learning.",
}

QUESTIONS: dict[str, str] = {
    "q1a": "1a. Was there any intention to cause harm?",
    "q2a": "2a. Is there indication of substance abuse?",
    "q2b": "2b. Is there indication of physical ill health?",
    "q2c": "2c. Is there indication of mental ill health?",
    "q3a": "3a. Are there agreed protocols / accepted practice that applied?",
    "q3b": "3b. Were the protocols workable and in routine use?",
    "q3c": "3c. Did the individual knowingly depart from them?",
    "q4a": "4a. Would comparable peers have acted the same way?",
    "q4b": "4b. Did the individual miss training that peers had?",
    "q4c": "4c. Did more senior people fail to supervise?",
    "q5a": "5a. Were there significant mitigating circumstances?",
}


@dataclass(frozen=True)
class JustCultureAnswers:
    """Yes (True), no (False) or not answered (None) for each question."""

    q1a: bool | None = None
    q2a: bool | None = None
    q2b: bool | None = None
    q2c: bool | None = None
    q3a: bool | None = None
    q3b: bool | None = None
    q3c: bool | None = None
    q4a: bool | None = None
    q4b: bool | None = None
    q4c: bool | None = None
    q5a: bool | None = None

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


# The guide's steps in order: the questions each reads, the answer that routes
# out of it, and the letter it routes to. Step 2 is two rows: substance abuse
# routes to B before ill health routes to C, so while 2a is unanswered the
# answers to 2b and 2c cannot decide.
_STEPS: tuple[tuple[tuple[str, ...], bool, JustCultureOutcome], ...] = (
    (("q1a",), True, JustCultureOutcome.A),  # 1: deliberate harm
    (("q2a",), True, JustCultureOutcome.B),  # 2: substance abuse
    (("q2b", "q2c"), True, JustCultureOutcome.C),  # 2: physical or mental ill health
    (("q3a", "q3b", "q3c"), False, JustCultureOutcome.D),  # 3: foresight, any "no"
    (("q4a", "q4b", "q4c"), True, JustCultureOutcome.E),  # 4: substitution, any "yes"
    (("q5a",), True, JustCultureOutcome.F),  # 5: significant mitigation
)


def just_culture_outcome(answers: JustCultureAnswers) -> JustCultureOutcome | None:
    """The guide's outcome letter, or None while the answers needed are missing.

    Each step routes out on its answer, else waits for any answer it lacks,
    else hands on to the next; past the last step the letter is G."""
    for names, routes_out, letter in _STEPS:
        step: tuple[bool | None, ...] = tuple(getattr(answers, name) for name in names)
        if routes_out in step:
            return letter
        if None in step:
            return None
    return JustCultureOutcome.G
