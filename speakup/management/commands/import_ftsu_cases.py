from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.csv_command import read_csv_file, refusal
from core.csv_import import ImportFailed
from speakup.importers import ftsu_cases_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = (
        "Load the FTSU guardian's historical log from a CSV with columns received_on "
        "(YYYY-MM-DD), org_unit (a department or ICSU code, or blank), professional_group, "
        "ethnic_category (NHS code or blank), anonymous, patient_safety, worker_safety, "
        "bullying_harassment, inappropriate_behaviour, detriment, racism (each yes/no). "
        "Any invalid row rejects the whole file; a file imported before is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_file(Path(options["file"]))
        try:
            result = ftsu_cases_import(text=text)
        except ImportFailed as exc:
            raise refusal(self.stderr, exc) from exc
        concerns = "concern" if result.rows == 1 else "concerns"
        self.stdout.write(
            f"Imported {result.rows} {concerns} ({result.anonymous} anonymous) "
            f"from a file with SHA-256 {result.sha256}."
        )
