from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from assurance.models import QuestionSet
from assurance.services import questions_seed
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = (
        "Give the trust the starting questions of the WRES indicator 3 self-assessment and the "
        "team inclusion checklist, for each set that has no questions yet."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for question_set in QuestionSet:
            added = questions_seed(actor=None, question_set=question_set.value)
            self.stdout.write(f"{question_set.label}: {added} questions added.")
