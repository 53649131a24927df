"""A formal case file is kept while its formal process is under way, and its
retention clock starts when the process concludes (``formal_concluded_at``)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from formal import services
from formal.models import FormalProcess
from records.retention import RetentionClass, retention_class, retention_start
from records.retention_selectors import retention_due
from workflow.models import Case

from ..formal.conftest import Staff, staff
from ..workflow.conftest import story
from ..workflow.steps import Story, fresh

__all__ = ["staff", "story"]

pytestmark = pytest.mark.django_db

FAR = timezone.localdate() + dt.timedelta(days=365 * 60)


def _due(case: Case) -> bool:
    return retention_due(FAR).filter(pk=case.pk).exists()


def test_a_formal_file_under_way_is_never_due_and_its_clock_starts_at_conclusion(
    story: Story, staff: Staff
) -> None:
    case = story.formal()
    assert retention_class(case) is None
    assert retention_start(case) is None
    assert not _due(case)
    services.formal_investigator_name(
        case_id=case.pk, actor=story.cast.hr, investigator=staff.investigator.pk
    )
    services.formal_investigation_outcome_record(
        case_id=case.pk, actor=story.cast.hr, outcome="no_case", reason="Nothing found."
    )
    case = fresh(case)
    assert retention_class(case) is RetentionClass.FORMAL
    assert case.formal_concluded_at is not None
    assert retention_start(case) == timezone.localdate(case.formal_concluded_at)
    assert _due(case)


def test_cases_that_reached_formal_before_the_process_was_tracked_are_concluded(
    story: Story,
) -> None:
    case = story.formal()
    FormalProcess.objects.filter(case=case).delete()
    migration = importlib.import_module("formal.migrations.0002_existing_formal_cases_concluded")
    migration.conclude_untracked(apps, None)
    case = fresh(case)
    assert case.formal_concluded_at == case.formal_commissioned_at
    assert retention_class(case) is RetentionClass.FORMAL
