"""How a panel's outcome relates to the just culture guide's advice (A to G).

The guide advises; the panel decides. The decision records the letter the
guide gave when the panel decided and whether the outcome is one the advice
points to, so a panel departing from it is visible (its rationale must carry
the reasons). This is the product's reading of NHS "A just culture guide"
(2018, docs/domain/just-culture-guide.md): D and E say singling out the individual is unlikely to be
appropriate, F that action may be inappropriate, G that graduated action
may be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from workflow.just_culture import JustCultureAnswers, just_culture_outcome
from workflow.just_culture import JustCultureOutcome as Letter
from workflow.models import Outcome

from .models import GuideAlignment

if TYPE_CHECKING:
    from workflow.models import Case

_NOT_SINGLING_OUT = {
    Outcome.INFORMAL_ACTION,
    Outcome.MEDIATION,
    Outcome.OTHER_POLICY,
    Outcome.NO_FURTHER_ACTION,
}

CONSISTENT: dict[Letter, set[Outcome]] = {
    Letter.A: {Outcome.FORMAL_INVESTIGATION, Outcome.EXTERNAL_REFERRAL},
    Letter.B: {Outcome.OCCUPATIONAL_HEALTH, Outcome.OTHER_POLICY},
    Letter.C: {Outcome.OCCUPATIONAL_HEALTH, Outcome.OTHER_POLICY},
    Letter.D: _NOT_SINGLING_OUT,
    Letter.E: _NOT_SINGLING_OUT,
    Letter.F: {
        Outcome.INFORMAL_ACTION,
        Outcome.MEDIATION,
        Outcome.OCCUPATIONAL_HEALTH,
        Outcome.NO_FURTHER_ACTION,
    },
    Letter.G: {Outcome.FORMAL_INVESTIGATION, Outcome.INFORMAL_ACTION, Outcome.MEDIATION},
}


def guide_alignment(outcome: str, letter: str) -> GuideAlignment:
    """Whether ``outcome`` is one the guide's ``letter`` points to ('' = no letter)."""
    if not letter:
        return GuideAlignment.NO_ADVICE
    consistent = outcome in CONSISTENT[Letter(letter)]
    return GuideAlignment.CONSISTENT if consistent else GuideAlignment.DEPARTS


@dataclass(frozen=True)
class GuideAdvice:
    """What the guide advises on a case now: ``letter`` ('' when its answers
    are not enough to advise), from the panel's reviewed answers or the
    referring manager's, and those answers (None if there are none)."""

    letter: str
    reviewed: bool
    answers: JustCultureAnswers | None

    @property
    def advice(self) -> str:
        return Letter(self.letter).advice if self.letter else ""


def guide_advice(case: Case, answers: JustCultureAnswers | None = None) -> GuideAdvice:
    """The one reading of what the guide advises on ``case``: the guide card,
    the decision form and the decision itself all use it, so the page never
    says "not enough answers to advise" above a decision that departs from
    advice D.

    ``answers``: the panel's review being recorded now. Otherwise the panel's
    latest review (a review stands until the panel reviews again, so a second
    decision after a declined sign-off keeps it); otherwise the referring
    manager's answers. Uses the case's prefetched decisions when there are.
    """
    if answers is not None:
        letter = just_culture_outcome(answers)
        return GuideAdvice(letter.value if letter else "", True, answers)
    decisions = sorted(case.decisions.all(), key=lambda d: (d.decided_at, d.pk), reverse=True)
    for decision in decisions:
        try:
            review = decision.guide_answers
        except ObjectDoesNotExist:
            continue
        return GuideAdvice(review.outcome, True, review.answers())
    try:
        referral = case.just_culture
    except ObjectDoesNotExist:
        return GuideAdvice("", False, None)
    return GuideAdvice(referral.outcome, False, referral.answers())
