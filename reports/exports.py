"""The governance pack as CSV (one long table) and XLSX (a sheet per section).

Downloads are always suppressed, whoever asks: a downloaded pack is what
goes up the governance chain. A suppressed count is written ``[c]`` (the
convention of official statistics) and an undefined ratio is left blank.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook

from .pack import FUNNEL_STEPS, GOVERNANCE_CHAIN, IndicatorRow, Pack

HEADER = ("section", "org_unit", "name", "period", "window", "group", "measure", "value")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def pack_rows(pack: Pack) -> Iterator[tuple[Any, ...]]:
    for row in pack.trend:
        yield from _indicator_rows("indicator3_trend", row)
    for row in pack.by_icsu:
        yield from _indicator_rows("indicator3_by_icsu", row)
    period = f"{pack.start:%Y-%m-%d} to {pack.end:%Y-%m-%d}"
    labels = dict(FUNNEL_STEPS)
    for unit in pack.funnel:
        for group, cell in unit.groups.items():
            for measure, figure in cell.counts.items():
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    labels[measure],
                    figure.export(),
                )
            for step, share in cell.diversion.items():
                measure = f"diverted from formal at: {step} (share)"
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    measure,
                    share.export(),
                )
            for stage, median in cell.medians.items():
                measure = f"median days in stage: {stage}"
                yield (
                    "funnel",
                    unit.org_unit,
                    unit.name,
                    period,
                    "",
                    group,
                    measure,
                    median.export(),
                )


def _indicator_rows(section: str, row: IndicatorRow) -> Iterator[tuple[Any, ...]]:
    head = (section, row.org_unit, row.name, row.label, row.window)
    for group, figures in row.groups.items():
        yield (*head, group, "headcount", figures.headcount.export())
        yield (*head, group, "entered (mean per year)", figures.entered.export())
        yield (*head, group, "rate", figures.rate.export())
    yield (*head, "", "relative_likelihood", row.relative_likelihood.export())
    yield (*head, "", "ci95_low", row.ci95_low.export())
    yield (*head, "", "ci95_high", row.ci95_high.export())
    flag = "" if row.non_adverse is None else ("yes" if row.non_adverse else "no")
    yield (*head, "", "non_adverse", flag)


def preamble(pack: Pack) -> list[str]:
    return [
        f"Governance pack: WRES indicator 3 and the referral funnel, {pack.year_label}",
        "For: " + " -> ".join(GOVERNANCE_CHAIN),
        f"[c] = suppressed: a count from 1 to {pack.threshold - 1}, or one that would reveal it.",
    ]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def pack_csv(pack: Pack) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in pack_rows(pack):
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def pack_xlsx(pack: Pack) -> IO[bytes]:
    """A temporary .xlsx (rewound): an About sheet, then one sheet per section."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("About")
    for line in preamble(pack):
        about.append([line])
    sheets: dict[str, Any] = {}
    for row in pack_rows(pack):
        section = row[0]
        if section not in sheets:
            sheets[section] = workbook.create_sheet(section[:31])
            sheets[section].append(list(HEADER[1:]))
        sheets[section].append([_safe(v) for v in row[1:]])
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    return out
