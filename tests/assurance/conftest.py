"""The self-assessment's tests: the shared cast, two ICSUs (Medicine and
Surgery), and helpers to make questions, answers and actions through the
services, as HR would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assurance.models import QuestionSet
from assurance.plans import ActionFields, action_add
from assurance.quarters import Quarter
from assurance.services import answer_save, question_add

from ..factories import other_units

Q1 = Quarter(2025, 1)


@pytest.fixture
def icsus(cast: Any) -> dict[str, Any]:
    """Medicine (the test employee's ICSU) and Surgery."""
    units = other_units()  # the cast's: Medicine's AMU, and Theatres in Surgery
    return {"med": units["same_icsu"].parent, "sur": units["other_icsu"].parent}


def add_question(cast: Any, text: str = "Every referral is tried informally first.", **kw: Any):
    return question_add(
        actor=cast.hr, question_set=kw.pop("question_set", QuestionSet.WRES3.value), text=text, **kw
    )


def answer(cast: Any, question: Any, unit: Any, quarter: Quarter = Q1, rating: str = "met", **kw):
    return answer_save(
        actor=cast.hr,
        question_id=question.pk,
        org_unit_id=unit.pk,
        quarter=quarter,
        rating=rating,
        evidence=kw.pop("evidence", "Minutes of the People Committee."),
        owner_id=kw.pop("owner_id", cast.director.pk),
        **kw,
    )


def action_fields(cast: Any, **kw: Any) -> ActionFields:
    values: dict[str, Any] = {
        "title": "Train every investigator in just culture",
        "owner_id": cast.director.pk,
        "due_on": dt.date(2026, 3, 31),
        "committee": "People Committee",
        "indicator": "wres3",
    }
    values.update(kw)
    return ActionFields(**values)


def add_action(cast: Any, **kw: Any):
    return action_add(actor=cast.hr, data=action_fields(cast, **kw))
