"""A destroyed case file is no one's to see as a case, in both forms of the
rule; the retention pages are HR's alone, in both forms too."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from workflow.access import CaseVisible, DetailsVisible, RetentionManage
from workflow.models import Case


def test_no_one_sees_a_destroyed_case_in_either_form(cast: Any, story: Any) -> None:
    case = story.closed()
    Case.objects.filter(pk=case.pk).update(destroyed_at=timezone.now())
    case.refresh_from_db()
    for person in vars(cast).values():
        assert not CaseVisible.allows(person, case)
        assert not Case.objects.filter(CaseVisible.q(person), pk=case.pk).exists()
        assert not Case.objects.filter(DetailsVisible.q(person), pk=case.pk).exists()


def test_only_hr_manages_retention_in_either_form(cast: Any, story: Any) -> None:
    case = story.closed()
    for person in vars(cast).values():
        allowed = person == cast.hr
        assert RetentionManage.allows(person) is allowed
        assert Case.objects.filter(RetentionManage.q(person), pk=case.pk).exists() is allowed
