"""``manage.py early_warning_alerts [--as-at D]``: record the early warning's
alerts as at the end of the last NHS quarter over on D (default: the last
complete quarter today) and tell HR about the new ones, once
(docs/early-warning.md, "Quarterly alerts")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports.early_warning_alerts import (
    early_warning_alerts_record,
    last_complete_quarter_end,
    quarter_end_on_or_before,
)
from tenancy.commands import TrustCommand


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-at must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(TrustCommand, BaseCommand):
    help = (
        "Record the early warning's alerts as at the end of an NHS quarter and tell the "
        "HR advisers how many are new since the previous quarter. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-at",
            help=(
                "Use the quarter ending on or before this date, YYYY-MM-DD "
                "(default: the last quarter that is over)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("as_at"):
            quarter_end = quarter_end_on_or_before(_date(options["as_at"]))
        else:
            quarter_end = last_complete_quarter_end(timezone.localdate())
        run = early_warning_alerts_record(quarter_end=quarter_end)
        self.stdout.write(
            f"Early warning as at {quarter_end.isoformat()}: {len(run.alerts)} in alert, "
            f"{len(run.new)} new since the previous quarter."
        )
