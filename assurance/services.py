"""Writes of the self-assessment: questions and their versions, answers and
their evidence. Each is one transaction with its audit event; bad input is a
``ValidationFailed`` naming the field. Action plans: ``assurance.plans``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.types import Actor
from audit.services import audit_record
from core.errors import NotAllowed, NotFound, ValidationFailed
from staff.models import OrgUnit
from tenancy.context import trust_id_required
from tenancy.models import Trust

from . import events
from .access import MANAGE_REFUSAL, can_manage, owners
from .documents import CheckedDocument
from .models import (
    EVIDENCE_MAX,
    GUIDANCE_MAX,
    TEXT_MAX,
    Answer,
    EvidenceDocument,
    Question,
    QuestionSet,
    QuestionVersion,
    Rating,
)
from .quarters import YEAR_MAX, YEAR_MIN, Quarter
from .seed import STARTING_QUESTIONS


def _require_manager(actor: Actor) -> None:
    if not can_manage(actor):
        raise NotAllowed(MANAGE_REFUSAL)


def _wording_errors(text: str, guidance: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = ["Write the question."]
    elif len(text) > TEXT_MAX:
        errors["text"] = [f"Keep the question to {TEXT_MAX} characters."]
    if len(guidance) > GUIDANCE_MAX:
        errors["guidance"] = [f"Keep the guidance to {GUIDANCE_MAX} characters."]
    return errors


def _set_valid(question_set: str) -> None:
    if question_set not in QuestionSet.values:
        raise ValidationFailed({"question_set": ["Choose one of the question sets."]})


# --- questions ----------------------------------------------------------------------


@transaction.atomic
def question_add(*, actor: Actor, question_set: str, text: str, guidance: str = "") -> Question:
    """A new question at the end of its set, with its first version."""
    _require_manager(actor)
    _set_valid(question_set)
    errors = _wording_errors(text, guidance)
    if errors:
        raise ValidationFailed(errors)
    _set_lock()
    question = _question_create(actor, question_set, text.strip(), guidance.strip())
    audit_record(
        case=None,
        actor=actor,
        action=events.QUESTION_ADDED,
        payload={"question": question.pk, "set": question_set, "position": question.position},
    )
    return question


def _set_lock() -> None:
    """Serialise additions to the trust's question sets (a double-clicked
    "start from the suggested questions", two questions added at once): the
    trust's own row is the lock, held to the end of the transaction."""
    list(Trust.objects.select_for_update().filter(pk=trust_id_required()).values_list("pk"))


def _question_create(actor: Actor | None, question_set: str, text: str, guidance: str) -> Question:
    last = Question.objects.filter(question_set=question_set).aggregate(m=Max("position"))["m"]
    now = timezone.now()
    question = Question.objects.create(
        question_set=question_set, position=(last or 0) + 1, created_at=now
    )
    QuestionVersion.objects.create(
        question=question, number=1, text=text, guidance=guidance, created_at=now, created_by=actor
    )
    return question


@transaction.atomic
def questions_seed(*, actor: Actor | None, question_set: str) -> int:
    """Give an empty set its starting questions (``assurance.seed``); how
    many were added (none when the set has questions already)."""
    if actor is not None:
        _require_manager(actor)
    _set_valid(question_set)
    _set_lock()
    if Question.objects.filter(question_set=question_set).exists():
        return 0
    for text, guidance in STARTING_QUESTIONS[question_set]:
        _question_create(actor, question_set, text, guidance)
    count = len(STARTING_QUESTIONS[question_set])
    audit_record(
        case=None,
        actor=actor,
        action=events.QUESTION_ADDED,
        payload={"set": question_set, "starting_questions": count},
    )
    return count


def _question_locked(question_id: int) -> Question:
    try:
        return Question.objects.select_for_update().get(pk=question_id)
    except Question.DoesNotExist:
        raise NotFound("No such question.") from None


@transaction.atomic
def question_revise(
    *,
    actor: Actor,
    question_id: int,
    text: str,
    guidance: str = "",
    position: int | None = None,
) -> Question:
    """Reword a question: a new version, the old one and its answers kept as
    they were. Moving it in its set changes no version. Changing nothing is
    refused, so that no empty version is ever written."""
    _require_manager(actor)
    question = _question_locked(question_id)
    errors = _wording_errors(text, guidance)
    if position is not None and not 1 <= position <= 999:
        errors["position"] = ["Give a position from 1 to 999."]
    if errors:
        raise ValidationFailed(errors)
    # Every question is made with its first version.
    current = question.versions.order_by("-number")[0]
    text, guidance = text.strip(), guidance.strip()
    reworded = (text, guidance) != (current.text, current.guidance)
    moved = position if position is not None and position != question.position else None
    if not reworded and moved is None:
        raise ValidationFailed({"text": ["Nothing was changed."]})
    payload: dict[str, Any] = {"question": question.pk, "set": question.question_set}
    if reworded:
        version = QuestionVersion.objects.create(
            question=question,
            number=current.number + 1,
            text=text,
            guidance=guidance,
            created_at=timezone.now(),
            created_by=actor,
        )
        payload["version"] = version.number
    if moved is not None:
        payload["position"] = [question.position, moved]
        question.position = moved
        question.save(update_fields=["position"])
    audit_record(case=None, actor=actor, action=events.QUESTION_REVISED, payload=payload)
    return question


@transaction.atomic
def question_retire(*, actor: Actor, question_id: int, retire: bool = True) -> Question:
    """Retire a question from today (not asked in quarters starting after
    today; its answers stay), or bring it back."""
    _require_manager(actor)
    question = _question_locked(question_id)
    if (question.retired_on is not None) == retire:
        return question
    question.retired_on = timezone.localdate() if retire else None
    question.save(update_fields=["retired_on"])
    audit_record(
        case=None,
        actor=actor,
        action=events.QUESTION_RETIRED,
        payload={"question": question.pk, "retired": retire},
    )
    return question


def asked_in(question: Question, quarter: Quarter) -> bool:
    """A question is asked in a quarter unless it was retired before it started."""
    return question.retired_on is None or question.retired_on >= quarter.start


# --- answers ------------------------------------------------------------------------


def quarter_valid(year: int, quarter: int) -> Quarter:
    if not YEAR_MIN <= year <= YEAR_MAX or not 1 <= quarter <= 4:
        raise ValidationFailed({"__all__": ["Choose a quarter from 1 to 4 of a year 2000-2100."]})
    return Quarter(year, quarter)


def icsu_get(org_unit_id: int) -> OrgUnit:
    try:
        return OrgUnit.objects.get(pk=org_unit_id, kind=OrgUnit.Kind.ICSU)
    except OrgUnit.DoesNotExist:
        raise NotFound("No such ICSU.") from None


@transaction.atomic
def answer_save(
    *,
    actor: Actor,
    question_id: int,
    org_unit_id: int,
    quarter: Quarter,
    rating: str,
    evidence: str,
    owner_id: int,
    document: CheckedDocument | None = None,
    remove_document: bool = False,
) -> Answer:
    """Record or change one ICSU's answer for a quarter.

    A new answer answers the question's current wording; a changed one
    keeps the version it answered (it is corrected, not re-asked). A new
    document replaces the old link (the old document stays, as the audit
    log names it)."""
    _require_manager(actor)
    question = _question_locked(question_id)
    unit = icsu_get(org_unit_id)
    answer = (
        Answer.objects.select_for_update()
        .filter(question=question, org_unit=unit, year=quarter.year, quarter=quarter.quarter)
        .first()
    )
    _answer_errors(question, quarter, answer, rating, evidence, owner_id)
    now = timezone.now()
    before = _answer_state(answer)
    if answer is None:
        answer = Answer(
            question=question,
            version=question.versions.order_by("-number").first(),
            org_unit=unit,
            year=quarter.year,
            quarter=quarter.quarter,
        )
    answer.rating, answer.evidence, answer.owner_id = rating, evidence.strip(), owner_id
    if document is not None:
        answer.document = _document_store(actor, document, now)
    elif remove_document:
        answer.document = None
    answer.updated_at, answer.updated_by = now, actor
    answer.save()
    _answer_audit(actor, answer, before)
    return answer


def _answer_errors(
    question: Question,
    quarter: Quarter,
    answer: Answer | None,
    rating: str,
    evidence: str,
    owner_id: int,
) -> None:
    errors: dict[str, list[str]] = {}
    if answer is None and not asked_in(question, quarter):
        errors["__all__"] = ["This question was retired before the quarter began."]
    if rating not in Rating.values:
        errors["rating"] = ["Choose met, partly met or not met."]
    if len(evidence) > EVIDENCE_MAX:
        errors["evidence"] = [f"Keep the evidence to {EVIDENCE_MAX} characters."]
    if not owners().filter(pk=owner_id).exists():
        errors["owner"] = ["Choose a login of this trust's managers or leaders."]
    if errors:
        raise ValidationFailed(errors)


def _answer_state(answer: Answer | None) -> dict[str, Any]:
    if answer is None:
        return {}
    return {
        "rating": answer.rating,
        "evidence": answer.evidence,
        "owner": answer.owner_id,
        "document": answer.document_id,
    }


def _answer_audit(actor: Actor, answer: Answer, before: dict[str, Any]) -> None:
    after = _answer_state(answer)
    changed = sorted(k for k in after if before.get(k) != after[k]) if before else sorted(after)
    payload: dict[str, Any] = {
        "question": answer.question_id,
        "version": answer.version.number,
        "org_unit": answer.org_unit.code,
        "year": answer.year,
        "quarter": answer.quarter,
        "rating": answer.rating,
        "owner": answer.owner_id,
        "changed": changed,
        "new": not before,
    }
    if "rating" in changed and before:
        payload["rating_before"] = before["rating"]
    if answer.document is not None and "document" in changed:
        payload["document"] = {"id": answer.document.pk, "sha256": answer.document.sha256}
    audit_record(case=None, actor=actor, action=events.ANSWER_SAVED, payload=payload)


def _document_store(actor: Actor, document: CheckedDocument, now: dt.datetime) -> EvidenceDocument:
    return EvidenceDocument.objects.create(
        name=document.name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        data=document.data,
        uploaded_at=now,
        uploaded_by=actor,
    )
