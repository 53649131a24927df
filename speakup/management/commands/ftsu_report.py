"""``manage.py ftsu_report --year 2025 --quarter 3``: the FTSU quarterly figures
(docs/speak-up-data.md) for the trust and each ICSU, unsuppressed."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from speakup.report import ETHNIC_GROUPS, FLAGS, Quarter, ftsu_report
from tenancy.commands import TrustCommand

COLUMNS = ("org_unit", "year", "quarter", "total", "anonymous", *FLAGS, *ETHNIC_GROUPS)
FORMATS = ("table", "json", "csv")


def _whole(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise CommandError(f"--{name} must be a whole number, not {value!r}.")
    return int(value)


class Command(TrustCommand, BaseCommand):
    help = (
        "The Freedom to Speak Up figures for one NHS quarter (Q1 = April-June of the year "
        "starting 1 April YEAR; Q4 = January-March of YEAR+1): for the trust and each ICSU, "
        "concerns received (imported and raised in the product), anonymous, by category and "
        "by ethnic group. Unsuppressed: for the guardian's quarterly return."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="The year starting 1 April, e.g. 2025.")
        parser.add_argument("--quarter", required=True, help="1, 2, 3 or 4 (Q1 = April-June).")
        parser.add_argument("--format", default="table", help="table (default), json or csv.")

    def handle(self, *args: Any, **options: Any) -> None:
        year = _whole(str(options["year"]), "year")
        if not 2000 <= year <= 2100:
            raise CommandError(f"--year must be from 2000 to 2100, not {year}.")
        number = str(options["quarter"]).upper().removeprefix("Q")
        if number not in ("1", "2", "3", "4"):
            raise CommandError(f"--quarter must be 1, 2, 3 or 4, not {options['quarter']!r}.")
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(f"--format must be table, json or csv, not {fmt!r}.")
        quarter = Quarter(year, int(number))
        data = [row.as_json() for row in ftsu_report(quarter)]
        if fmt == "json":
            self.stdout.write(json.dumps(data, indent=2))
        elif fmt == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            for item in data:
                writer.writerow([_flat(item)[c] for c in COLUMNS])
        else:
            self._table(data, quarter)

    def _table(self, data: list[dict[str, Any]], quarter: Quarter) -> None:
        span = f"{quarter.start:%Y-%m-%d} to {quarter.end:%Y-%m-%d}"
        self.stdout.write(f"Freedom to Speak Up, {quarter.label}: {span}")
        heads = (
            "total",
            "anon",
            "patient",
            "worker",
            "bullying",
            "behaviour",
            "detriment",
            "racism",
            "white",
            "bme",
            "unknown",
        )
        self.stdout.write(f"{'org_unit':<16}" + "".join(f"{h:>10}" for h in heads))
        for item in data:
            flat = _flat(item)
            cells = "".join(f"{flat[c]:>10}" for c in COLUMNS[3:])
            self.stdout.write(f"{item['org_unit']:<16}{cells}")


def _flat(item: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: v for k, v in item.items() if not isinstance(v, dict)},
        **item["categories"],
        **item["by_ethnicity"],
    }
