"""``manage.py early_warning --as-at 2025-03-31``: the early warning
(docs/early-warning.md) for every ICSU, department and referring manager."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.exports import csv_safe
from reports.early_warning import early_warning
from tenancy.commands import TrustCommand

COLUMNS = ("level", "key", "n", "bme", "expected", "p_value", "band")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-at must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(TrustCommand, BaseCommand):
    help = (
        "The early warning: for each ICSU, department and referring manager, the referrals "
        "in the window, how many were of BME staff, the number the workforce predicts and "
        "the exact binomial p-value, with its band. Unsuppressed, naming managers: for HR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-at", required=True, help="The window's last day, YYYY-MM-DD.")
        parser.add_argument(
            "--window-months", type=int, default=24, help="The window's length (default 24)."
        )
        parser.add_argument("--format", default="table", help="table (default), json or csv.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_at = _date(options["as_at"])
        months = options["window_months"]
        if months < 1:
            raise CommandError("--window-months must be at least 1.")
        fmt = options["format"]
        if fmt not in ("table", "json", "csv"):
            raise CommandError(f"--format must be table, json or csv, not {fmt!r}.")
        data = [row.as_json() for row in early_warning(as_at, months)]
        if fmt == "json":
            self.stdout.write(json.dumps(data, indent=2))
        elif fmt == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            for item in data:
                writer.writerow([csv_safe("" if item[c] is None else item[c]) for c in COLUMNS])
        else:
            self._table(data, as_at, months)

    def _table(self, data: list[dict[str, Any]], as_at: dt.date, months: int) -> None:
        self.stdout.write(f"Early warning: {months} months to {as_at.isoformat()}")
        self.stdout.write(
            f"{'level':<11}{'key':<16}{'n':>6}{'bme':>6}{'expected':>10}{'p_value':>11}  band"
        )
        for item in data:
            expected = "-" if item["expected"] is None else f"{item['expected']:.2f}"
            p_value = "-" if item["p_value"] is None else f"{item['p_value']:.4g}"
            self.stdout.write(
                f"{item['level']:<11}{item['key']:<16}{item['n']:>6}{item['bme']:>6}"
                f"{expected:>10}{p_value:>11}  {item['band']}"
            )
