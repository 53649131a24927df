"""The formal process's side of ``workflow.named_people``: who it names on a case.

The investigator, the hearing's chair and the appeal's hearer see the case
they are named on (``workflow.access.CaseVisible`` asks here), in both
forms. ``FormalConfig.ready`` registers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from workflow import named_people as port

from .actions import process_of
from .models import FormalProcess
from .selectors import named_ids

if TYPE_CHECKING:
    from workflow.models import Case


class FormalNamed:
    """People named by a case's formal process (``workflow.named_people.NamedPeople``)."""

    def named_ids(self, case: Case) -> set[int]:
        if case.stage != "formal":  # only a formal case has a process: no query
            return set()
        return named_ids(process_of(case))

    def named_q(self, user_id: int, prefix: str) -> Exists | Q:
        return Exists(
            FormalProcess.objects.filter(case_id=OuterRef(f"{prefix}pk")).filter(
                Q(investigator_id=user_id)
                | Q(hearing_chair_id=user_id)
                | Q(appeal_hearer_id=user_id)
            )
        )


def register() -> None:
    port.register(FormalNamed())
