"""Reads for the referral form: the employee picker, and the open cases of the
employee a manager is about to refer (the duplicate warning, and the linked
cases HR sees at triage). Every read is scoped by ``workflow.access``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.types import Viewer
from staff.models import Employee

from . import access
from .models import Case, Stage
from .selectors import CaseView

# The picker shows at most this many matches: enough to choose from, and a
# bound on the query whatever the size of the trust's staff list.
PICKER_LIMIT = 20


def open_cases_of(employee_id: int) -> QuerySet[Case]:
    """Every open case of one employee (unscoped: callers scope or count)."""
    return Case.objects.filter(
        employee_id=employee_id, stage__in=Stage.open_values(), destroyed_at__isnull=True
    )


def employees_referable_for(
    user: Viewer, text: str, *, limit: int = PICKER_LIMIT
) -> list[Employee]:
    """Employees ``user`` may refer (``access.EmployeeReferable``) whose name
    contains ``text`` or whose staff number starts with it, by name; at most
    ``limit`` + 1 rows, so the caller can tell there are more."""
    text = text.strip()
    return list(
        Employee.objects.select_related("org_unit")
        .filter(access.EmployeeReferable.q(user))
        .filter(Q(name__icontains=text) | Q(staff_number__istartswith=text))
        .only("staff_number", "name", "job_title", "org_unit__name", "user_id")
        .order_by("name", "staff_number")[: limit + 1]
    )


@dataclass(frozen=True)
class OpenCases:
    """An employee's other open cases as one person may know of them: those
    they may see, as ``access.ShownCase``, and how many others there are."""

    shown: list[access.ShownCase]
    others: int

    def __bool__(self) -> bool:
        return bool(self.shown) or self.others > 0


def open_cases_for(
    user: Viewer, employee_id: int | None, *, exclude: int | None = None, limit: int = 10
) -> OpenCases:
    """The open cases of ``employee_id`` (but ``exclude``): up to ``limit``
    that ``user`` may see (``access.CaseVisible``), oldest first, and a count
    of the rest. A manager learns that another referral exists, never whose
    it is or what it says, unless it is a case they may see anyway."""
    if employee_id is None:
        return OpenCases([], 0)
    cases = open_cases_of(employee_id)
    if exclude is not None:
        cases = cases.exclude(pk=exclude)
    visible = list(
        cases.filter(access.CaseVisible.q(user))
        .select_related("referring_manager")
        .order_by("submitted_at", "id")[:limit]
    )
    # Whom each is about, who referred it, where it is: no substance, so
    # CaseVisible (the filter above) is all that decides.
    shown = [access.ShownCase(c, access.Shown.MINIMUM | access.Shown.PEOPLE) for c in visible]
    others = cases.exclude(pk__in=[c.pk for c in visible]).count()
    return OpenCases(shown, others)


def referable_employee(user: Viewer, staff_number: str) -> Employee | None:
    """The employee with this staff number, if ``user`` may refer them."""
    number = (staff_number or "").strip()
    if not number:
        return None
    return (
        Employee.objects.filter(access.EmployeeReferable.q(user), staff_number=number)
        .only("pk", "user_id")
        .first()
    )


def linked_open_cases_for(user: Viewer, view: CaseView) -> OpenCases:
    """The other open cases of a case's employee, for its page and its
    action pages (HR sees them at triage): none for someone who may not read
    the case's details, and only the cases ``user`` may see."""
    if not view.allowed.details:
        return OpenCases([], 0)
    case = view._case
    return open_cases_for(user, case.employee_id, exclude=case.pk)


def case_submitted_with(user: Viewer, key: uuid.UUID) -> Case | None:
    """The case ``user`` already made with this referral form's one-time key."""
    if not user.is_authenticated:
        return None
    return (
        Case.objects.filter(referring_manager=user.pk, submission_key=key)
        .only("pk", "reference")
        .first()
    )
