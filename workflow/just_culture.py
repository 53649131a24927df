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


def just_culture_outcome(answers: JustCultureAnswers) -> JustCultureOutcome | None:
    """The guide's outcome letter, or None while the answers needed are missing."""
    a = answers
    # Step 1: deliberate harm.
    if a.q1a is None:
        return None
    if a.q1a:
        return JustCultureOutcome.A
    # Step 2: health. Substance abuse routes to B before ill health to C.
    if a.q2a:
        return JustCultureOutcome.B
    if a.q2a is None:  # ill health cannot decide while substance abuse (B) is still open
        return None
    if a.q2b or a.q2c:
        return JustCultureOutcome.C
    if None in (a.q2a, a.q2b, a.q2c):
        return None
    # Step 3: foresight. Any "no" routes to D.
    step3 = (a.q3a, a.q3b, a.q3c)
    if False in step3:
        return JustCultureOutcome.D
    if None in step3:
        return None
    # Step 4: substitution. Any "yes" routes to E.
    step4 = (a.q4a, a.q4b, a.q4c)
    if True in step4:
        return JustCultureOutcome.E
    if None in step4:
        return None
    # Step 5: mitigation.
    if a.q5a is None:
        return None
    return JustCultureOutcome.F if a.q5a else JustCultureOutcome.G
