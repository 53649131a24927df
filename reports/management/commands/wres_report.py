"""``manage.py wres_report --year 2024``: WRES indicator 3, trust-wide and per ICSU."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.grouping import GROUPS
from reports.wres import UnitFigures, wres_report
from tenancy.commands import TrustCommand
from tenancy.policy import trust_policy

CSV_COLUMNS = (
    "org_unit",
    "year",
    "window",
    *(f"{g.value}_{m}" for g in GROUPS for m in ("headcount", "entered", "rate")),
    "relative_likelihood",
    "ci95_low",
    "ci95_high",
    "non_adverse",
)


class Command(TrustCommand, BaseCommand):
    help = (
        "WRES indicator 3 for the WRES year starting 1 April of --year: the relative "
        "likelihood of BME staff entering formal investigation compared to white staff, "
        "trust-wide (TRUST) then per ICSU, with counts, rates and a 95% interval. "
        "Unsuppressed figures: for HR, not for circulation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="e.g. 2024 for 2024/25.")
        parser.add_argument(
            "--window",
            type=int,
            choices=(1, 2),
            default=None,
            help="Years averaged (default: the trust's policy, wres_window).",
        )
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        window = options["window"] or trust_policy().wres_window
        rows = wres_report(years=[options["year"]], windows=[window])
        data = [row.as_json() for row in rows]
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for item in data:
                writer.writerow(["" if v is None else v for v in _flat(item)])
        else:
            self._table(rows)

    def _table(self, rows: list[UnitFigures]) -> None:
        first = rows[0]
        self.stdout.write(
            f"WRES indicator 3, {first.year}/{(first.year + 1) % 100:02d}, "
            f"{first.window}-year window"
        )
        head = f"{'unit':<12}" + "".join(f"{g.label:>26}" for g in GROUPS)
        self.stdout.write(head + f"{'RL':>8}  {'95% CI':<15} non-adverse")
        for row in rows:
            cells = "".join(_group_cell(row, g.value) for g in GROUPS)
            ind = row.indicator
            ci = f"{_fmt(ind.ci95_low)}-{_fmt(ind.ci95_high)}"
            flag = {True: "yes", False: "NO", None: "-"}[ind.non_adverse]
            self.stdout.write(
                f"{row.org_unit:<12}{cells}{_fmt(ind.relative_likelihood):>8}  {ci:<15} {flag}"
            )


def _flat(item: dict[str, Any]) -> list[Any]:
    values: list[Any] = [item["org_unit"], item["year"], item["window"]]
    for group in GROUPS:
        values += [item[group.value][m] for m in ("headcount", "entered", "rate")]
    values += [item[k] for k in ("relative_likelihood", "ci95_low", "ci95_high", "non_adverse")]
    return values


def _group_cell(row: UnitFigures, group: str) -> str:
    figures = row.groups[group]
    rate = "-" if figures.rate is None else f"{figures.rate:.2%}"
    return f"{float(figures.entered):>8g} / {figures.headcount:<7} {rate:>7}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
