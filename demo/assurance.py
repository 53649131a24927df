"""The demo's self-assessment and action plans (assurance/, docs/assurance.md):
both question sets' starting questions, three quarters of WRES answers for every
ICSU (a trust improving), and a few actions, one of them overdue. Loaded once
per trust: nothing is added when the trust has answers already."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from accounts.types import Actor
from assurance.models import Answer, Question, QuestionSet
from assurance.plans import ActionFields, action_add
from assurance.quarters import quarter_of
from assurance.services import answer_save, questions_seed
from staff.models import OrgUnit

# Ratings by (quarter offset, question position, ICSU index): better each quarter.
_RATINGS = ("not_met", "partly", "met")


def assurance_load(*, today: dt.date, hr_username: str, owner_username: str) -> int:
    """Seed the questions, answers and actions; how many answers were added."""
    users = get_user_model().objects
    hr, owner = users.get(username=hr_username), users.get(username=owner_username)
    for question_set in QuestionSet:
        questions_seed(actor=hr, question_set=question_set.value)
    if Answer.objects.exists():
        return 0
    icsus = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ICSU).order_by("code"))
    now = quarter_of(today)
    added = 0
    for back in (2, 1, 0):
        quarter = now.shifted(-back)
        # The WRES set answered; the inclusion checklist left for the trust to start.
        for question in Question.objects.filter(question_set="wres3").order_by("position"):
            for i, unit in enumerate(icsus):
                score = (question.position + i + (2 - back)) % 4
                if back == 0 and score == 3:
                    continue  # not yet answered this quarter
                answer_save(
                    actor=hr,
                    question_id=question.pk,
                    org_unit_id=unit.pk,
                    quarter=quarter,
                    rating=_RATINGS[min(score, 2)],
                    evidence="Reviewed at the ICSU's quarterly performance meeting.",
                    owner_id=owner.pk,
                )
                added += 1
    _actions(hr, owner, icsus, today)
    return added


def _actions(hr: Actor, owner: Actor, icsus: list[OrgUnit], today: dt.date) -> None:
    plans = [
        (
            "Train every investigator in just-culture investigation",
            "Investigators said they had no training in recognising bias.",
            "",
            -14,
            "in_progress",
        ),
        (
            "Report disciplinary figures by ICSU each quarter",
            "The staff networks asked to see where referrals come from.",
            "The People Committee now reviews the figures every quarter.",
            -30,
            "done",
        ),
        (
            "Brief ICSU leaders on informal resolution first",
            "Managers did not know the informal options.",
            "",
            45,
            "open",
        ),
    ]
    for n, (title, said, did, days, status) in enumerate(plans):
        action_add(
            actor=hr,
            data=ActionFields(
                title=title,
                owner_id=owner.pk,
                due_on=today + dt.timedelta(days=days),
                committee="People Committee",
                status=status,
                org_unit_id=icsus[n % len(icsus)].pk if icsus else None,
                indicator="wres3",
                you_said=said,
                we_did=did,
            ),
        )
