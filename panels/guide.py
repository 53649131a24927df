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

from workflow.just_culture import JustCultureOutcome as Letter
from workflow.models import Outcome

from .models import GuideAlignment

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
