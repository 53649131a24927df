"""Walking a formal process through its services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from accounts.roles import Role
from formal import services
from staff.models import OrgUnit
from workflow.models import Case

from ..factories import EmployeeFactory, make_user
from ..workflow.steps import Story

REASON = "The investigation found a case to answer about the handover."
GROUNDS = "The sanction is disproportionate to a first concern."


def with_investigator(case: Case, hr: Any, investigator: Any) -> Case:
    return services.formal_investigator_name(
        case_id=case.pk, actor=hr, investigator=investigator.pk
    )


def to_hearing(case: Case, hr: Any, investigator: Any) -> Case:
    case = with_investigator(case, hr, investigator)
    return services.formal_investigation_outcome_record(
        case_id=case.pk, actor=hr, outcome="hearing", reason=REASON
    )


def heard(
    case: Case, hr: Any, investigator: Any, chair: Any, sanction: str = "final_written"
) -> Case:
    return hear(to_hearing(case, hr, investigator), hr, chair, sanction)


def hear(case: Case, hr: Any, chair: Any, sanction: str = "final_written") -> Case:
    """Arrange the hearing of a case whose outcome called one, and record it."""
    case = services.formal_hearing_schedule(
        case_id=case.pk,
        actor=hr,
        hearing_on=timezone.now() + dt.timedelta(days=7),
        chair=chair.pk,
        accompaniment_told=True,
        companion_name="Rep Resentative",
        companion_role="union_rep",
    )
    return services.formal_hearing_outcome_record(
        case_id=case.pk,
        actor=hr,
        held_on=timezone.localdate(),
        sanction=sanction,
        detail="Final written warning for twelve months.",
    )


_investigators = itertools.count(1)


def formal_concluded(story: Story) -> Case:
    """A case taken to formal whose process concluded at once (no case to
    answer), as every formal file must before its retention clock starts."""
    return concluded(story.formal(), story.cast.hr)


def concluded(case: Case, hr: Any) -> Case:
    """Conclude the formal process of ``case`` (in formal): an independent
    investigator finds no case to answer."""
    user = make_user(f"formal.investigator{next(_investigators)}", Role.STAFF)
    unit = OrgUnit.objects.filter(kind="department").exclude(pk=case.employee_org_unit_id).first()
    EmployeeFactory.create(user=user, org_unit=unit)
    case = with_investigator(case, hr, user)
    return services.formal_investigation_outcome_record(
        case_id=case.pk, actor=hr, outcome="no_case", reason="No case to answer."
    )
