"""Reads of the self-assessment and action plans: the RAG grid with its
trend, the question lists, the action list's pages and the pack's actions.
Every read is a fixed number of queries with a limit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.types import Viewer
from core.paging import Cursor, KeysetPage, keyset_page
from staff.models import OrgUnit

from .access import can_read_all, sees_managers
from .models import (
    ACTIVE_STATUSES,
    Action,
    Answer,
    EvidenceDocument,
    Question,
    QuestionVersion,
    Rating,
)
from .quarters import Quarter, quarter_of
from .services import asked_in

# A set has a few dozen questions and a trust a few ICSUs; these bound the reads.
QUESTIONS_MAX = 200
ICSUS_MAX = 100
TREND_QUARTERS = 4
PACK_ACTIONS_MAX = 200
ORDER = ("due_on", "id")

# What a cell says, in words and a short form (colour is never the only cue).
RAG = {
    Rating.MET.value: ("green", "Met", "M"),
    Rating.PARTLY.value: ("amber", "Partly met", "P"),
    Rating.NOT_MET.value: ("red", "Not met", "N"),
    "": ("grey", "Not answered", "\u2013"),
}


def current_quarter() -> Quarter:
    return quarter_of(timezone.localdate())


def latest_answered_quarter() -> Quarter | None:
    """The latest quarter any answer was given for."""
    row = Answer.objects.order_by("-year", "-quarter").values_list("year", "quarter").first()
    return Quarter(*row) if row else None


def icsus() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.ICSU).order_by("code")[:ICSUS_MAX])


def _versions() -> Prefetch[Any]:
    return Prefetch("versions", queryset=QuestionVersion.objects.order_by("number"))


def questions_of(question_set: str) -> list[Question]:
    """Every question of a set, retired ones too, each with its versions."""
    qs = Question.objects.filter(question_set=question_set).prefetch_related(_versions())
    return list(qs.order_by("position", "id")[:QUESTIONS_MAX])


def question_get(question_id: int) -> Question | None:
    return Question.objects.prefetch_related(_versions()).filter(pk=question_id).first()


def current_version(question: Question) -> QuestionVersion:
    """The newest wording (the versions prefetched in number order)."""
    return list(question.versions.all())[-1]


def answer_get(question_id: int, org_unit_id: int, quarter: Quarter) -> Answer | None:
    return (
        Answer.objects.select_related("version", "document", "owner")
        .filter(
            question_id=question_id,
            org_unit_id=org_unit_id,
            year=quarter.year,
            quarter=quarter.quarter,
        )
        .first()
    )


def document_get(document_id: int) -> EvidenceDocument | None:
    return EvidenceDocument.objects.filter(pk=document_id).first()


# --- the grid -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One rating as shown: colour class, words, short form."""

    rating: str
    quarter: Quarter

    @property
    def colour(self) -> str:
        return RAG[self.rating][0]

    @property
    def label(self) -> str:
        return RAG[self.rating][1]

    @property
    def short(self) -> str:
        return RAG[self.rating][2]


@dataclass
class Cell:
    unit: OrgUnit
    mark: Mark
    trend: list[Mark]
    answer: Answer | None

    @property
    def older_wording(self) -> int | None:
        """The version number answered, when it is not the question's current one."""
        if self.answer is None:
            return None
        return self.answer.version.number if self.answer.version.number != self.latest else None

    latest: int = 0


@dataclass
class GridRow:
    question: Question
    wording: QuestionVersion
    cells: list[Cell]


@dataclass(frozen=True)
class Tally:
    """How many questions one ICSU rated each way in one quarter."""

    met: int
    partly: int
    not_met: int
    unanswered: int

    @classmethod
    def of(cls, counts: Counter[str]) -> Tally:
        return cls(
            met=counts[Rating.MET.value],
            partly=counts[Rating.PARTLY.value],
            not_met=counts[Rating.NOT_MET.value],
            unanswered=counts[""],
        )


@dataclass
class UnitSummary:
    unit: OrgUnit
    by_quarter: list[tuple[Quarter, Tally]]


@dataclass
class Grid:
    question_set: str
    quarter: Quarter
    quarters: list[Quarter]  # the trend's, oldest first, ending with ``quarter``
    units: list[OrgUnit]
    rows: list[GridRow]
    summaries: list[UnitSummary] = field(default_factory=list)

    @property
    def trend_quarters(self) -> list[Quarter]:
        return self.quarters[:-1]


def rag_grid(question_set: str, quarter: Quarter, trend: int = TREND_QUARTERS) -> Grid:
    """Questions x ICSUs for ``quarter``, each cell with the ratings of the
    ``trend`` quarters before it, and per ICSU the count of each rating per
    quarter. A question is a row when it was asked in the quarter (not
    retired before it began) or was answered in it."""
    quarters = [*quarter.previous(trend), quarter]
    units = icsus()
    answers = _answers(question_set, quarters)
    questions = [
        q
        for q in questions_of(question_set)
        if asked_in(q, quarter) or any(k[0] == q.pk and k[2] == quarter for k in answers)
    ]
    rows = [_row(q, units, quarters, answers) for q in questions]
    summaries = [
        UnitSummary(unit, [(qr, _count(answers, questions, unit, qr)) for qr in quarters])
        for unit in units
    ]
    return Grid(question_set, quarter, quarters, units, rows, summaries)


def _answers(question_set: str, quarters: list[Quarter]) -> dict[tuple[int, int, Quarter], Answer]:
    span = Q()
    for qr in quarters:
        span |= Q(year=qr.year, quarter=qr.quarter)
    rows = (
        Answer.objects.filter(span, question__question_set=question_set)
        .select_related("version")
        .order_by("year", "quarter", "id")[: QUESTIONS_MAX * ICSUS_MAX * len(quarters)]
    )
    return {(a.question_id, a.org_unit_id, Quarter(a.year, a.quarter)): a for a in rows}


def _row(
    question: Question,
    units: list[OrgUnit],
    quarters: list[Quarter],
    answers: dict[tuple[int, int, Quarter], Answer],
) -> GridRow:
    wording = current_version(question)
    cells = []
    for unit in units:
        marks = []
        for qr in quarters:
            answer = answers.get((question.pk, unit.pk, qr))
            marks.append(Mark(answer.rating if answer else "", qr))
        answer = answers.get((question.pk, unit.pk, quarters[-1]))
        cells.append(Cell(unit, marks[-1], marks[:-1], answer, latest=wording.number))
    return GridRow(question, wording, cells)


def _count(
    answers: dict[tuple[int, int, Quarter], Answer],
    questions: list[Question],
    unit: OrgUnit,
    quarter: Quarter,
) -> Tally:
    counts: Counter[str] = Counter()
    for q in questions:
        answer = answers.get((q.pk, unit.pk, quarter))
        if answer is not None or asked_in(q, quarter):
            counts[answer.rating if answer else ""] += 1
    return Tally.of(counts)


# --- actions ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""
    org_unit_id: int | None = None
    committee: str = ""
    overdue: bool = False


def overdue_q(today: dt.date) -> Q:
    return Q(due_on__lt=today, status__in=ACTIVE_STATUSES)


def actions_visible(user: Viewer) -> QuerySet[Action]:
    """Every action for HR, decision-makers and governance viewers; anyone
    else their own."""
    qs = Action.objects.all()
    if can_read_all(user):
        return qs
    return qs.filter(owner_id=user.pk) if user.is_authenticated else qs.none()


def actions_page(
    *, user: Viewer, filters: ActionFilters, cursor: Cursor | None, size: int
) -> KeysetPage[Action]:
    qs = actions_visible(user).select_related("org_unit", "owner", "question")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.org_unit_id:
        qs = qs.filter(org_unit_id=filters.org_unit_id)
    if filters.committee:
        qs = qs.filter(committee=filters.committee)
    if filters.overdue:
        qs = qs.filter(overdue_q(timezone.localdate()))
    return keyset_page(qs, order=ORDER, cursor=cursor, size=size)


def action_get(action_id: int) -> Action | None:
    return (
        Action.objects.select_related("org_unit", "owner", "question").filter(pk=action_id).first()
    )


def actions_for_committee(committee: str, limit: int = PACK_ACTIONS_MAX) -> list[Action]:
    """The actions addressed to ``committee``, still to do first (by due
    date), then done and dropped ones, at most ``limit``."""
    qs = Action.objects.filter(committee=committee).select_related("org_unit", "owner")
    active = list(qs.filter(status__in=ACTIVE_STATUSES).order_by(*ORDER)[:limit])
    rest = list(
        qs.exclude(status__in=ACTIVE_STATUSES).order_by("-due_on", "-id")[: limit - len(active)]
    )
    return active + rest


def is_overdue(action: Action, today: dt.date | None = None) -> bool:
    return action.status in ACTIVE_STATUSES and action.due_on < (today or timezone.localdate())


def alert_text(action: Action, viewer: Viewer | None) -> str:
    """The action's alert as shown to ``viewer`` (a manager's staff number
    only to HR; ``viewer`` None, as in a pack: never)."""
    if not action.alert_level:
        return ""
    if action.alert_level == "manager" and (viewer is None or not sees_managers(viewer)):
        return "Early warning: a referring manager"
    return f"Early warning: {action.get_alert_level_display()} {action.alert_key}"
