from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.csv_command import read_csv_file, refusal
from core.csv_import import ImportFailed
from reports.referral_import import referral_history_import
from tenancy.commands import TrustCommand


class Command(TrustCommand, BaseCommand):
    help = (
        "Load proposed referrals from before the product from a CSV with columns referred_on "
        "(YYYY-MM-DD), manager_staff_number, employee_staff_number, entered_formal (yes/no). "
        "Both people must be employees; the employee's org unit and ethnic category are "
        "copied from their record. Rows already stored are not added again. Any invalid "
        "row rejects the whole file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine).")

    def handle(self, *args: Any, **options: Any) -> None:
        text = read_csv_file(Path(options["file"]))
        try:
            result = referral_history_import(text=text)
        except ImportFailed as exc:
            raise refusal(self.stderr, exc) from exc
        referrals = "referral" if result.rows == 1 else "referrals"
        self.stdout.write(
            f"Imported {result.rows} {referrals}: {result.created} new, "
            f"{result.already} already stored."
        )
